using System.Globalization;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// How the release serving before a deploy answered through nginx, per host and path (status codes; null for no answer):
/// what the verify stage compares the new release with. A host with nothing serving (a first deploy) has no answers.
/// </summary>
/// <param name="Answers">Host name → path → the status codes of the probes, in order.</param>
public sealed record ReleaseBaseline(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<int?>>> Answers)
{
    /// <summary>Nothing recorded: only the configured rules apply.</summary>
    public static ReleaseBaseline None { get; } = new(new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<int?>>>());

    /// <summary>
    /// The paths that answered below 500 on every probe of <paramref name="host"/>'s previous release — the new release must
    /// not answer 5xx there — each with what it answered ("200", "200, 401").
    /// </summary>
    public IReadOnlyDictionary<string, string> Working(string host)
    {
        if (!Answers.TryGetValue(host, out var paths))
        {
            return new Dictionary<string, string>();
        }

        return paths
            .Where(p => p.Value.Count > 0 && p.Value.All(s => s is < 500))
            .ToDictionary(p => p.Key, p => string.Join(", ", p.Value.Distinct().Select(s => s!.Value.ToString(CultureInfo.InvariantCulture))), StringComparer.Ordinal);
    }

    /// <summary>
    /// Asks every path of <paramref name="policy"/>'s <see cref="VerifyPolicy.Compared"/> <see cref="VerifyPolicy.Successes"/>
    /// times through nginx on each host that serves the app now, as users reach it. Call it before the switch.
    /// </summary>
    public static async Task<ReleaseBaseline> RecordAsync(DeployRequest request, VerifyPolicy policy, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(observer);
        var answers = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<int?>>>(StringComparer.Ordinal);
        if (policy.Compared.Count == 0)
        {
            return new ReleaseBaseline(answers);
        }

        foreach (var host in request.Hosts)
        {
            if (await ReleaseLauncher.LiveRouteAsync(host, request.Release.App, cancellationToken) is null)
            {
                continue;
            }

            var byPath = new Dictionary<string, IReadOnlyList<int?>>(StringComparer.Ordinal);
            foreach (var path in policy.Compared)
            {
                var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{request.ListenPort}{path}"));
                var statuses = new List<int?>();
                for (var i = 0; i < policy.Successes; i++)
                {
                    statuses.Add((await host.Probe.GetAsync(url, request.ServerName, policy.Timeout, cancellationToken)).StatusCode);
                }

                byPath[path] = statuses;
            }

            answers[host.Name] = byPath;
            observer.Step(host.Name, "before the switch, through nginx: " + string.Join("; ", byPath.Select(p => $"{p.Key} answered {string.Join(", ", p.Value.Select(s => s?.ToString(CultureInfo.InvariantCulture) ?? "nothing"))}")));
        }

        return new ReleaseBaseline(answers);
    }
}
