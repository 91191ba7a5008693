using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary><c>target.kubernetes.metrics:</c> how a canary's error rate is read on Kubernetes.</summary>
public sealed class KubernetesMetricsOptions
{
    /// <summary>
    /// A regular expression matched against each log line of the canary's and the stable pods since the step began, with a
    /// named group <c>status</c> (the HTTP status) and optionally <c>ms</c> (latency); when set, canary steps are also judged
    /// by the error-rate analysis (canary.maxErrorRate, minRequests, maxP95) like on Docker hosts.
    /// </summary>
    public string? LogPattern { get; set; }

    /// <summary>The compiled pattern, or null.</summary>
    public Regex? ToPattern(string key)
    {
        if (string.IsNullOrWhiteSpace(LogPattern))
        {
            return null;
        }

        Regex regex;
        try
        {
            regex = new Regex(LogPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidInputException($"{key}.logPattern: not a regular expression ({ex.Message}).", ex);
        }

        return regex.GetGroupNames().Contains("status")
            ? regex
            : throw new InvalidInputException($"{key}.logPattern: needs a named group (?<status>...) capturing the HTTP status, e.g. \"\\\" (?<status>\\d{{3}}) \".");
    }
}
