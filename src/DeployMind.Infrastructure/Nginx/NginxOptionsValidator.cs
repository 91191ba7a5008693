using System.Globalization;
using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>Validates <see cref="NginxOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class NginxOptionsValidator : IValidateOptions<NginxOptions>
{
    public ValidateOptionsResult Validate(string? name, NginxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = NginxOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.Binary))
        {
            failures.Add($"{Section}:Binary must name the nginx program (e.g. \"nginx\" or \"/usr/sbin/nginx\").");
        }

        if (!NginxRouteValidator.IsListenAddress(options.ListenAddress))
        {
            failures.Add($"{Section}:ListenAddress '{options.ListenAddress}' must be an IPv4 address (e.g. 127.0.0.1) or an IPv6 address in brackets (e.g. [::1]).");
        }

        if (options.Mode == NginxMode.Managed)
        {
            CheckPath(failures, "Prefix", options.Prefix);
            if (options.WorkerProcesses != "auto"
                && !(int.TryParse(options.WorkerProcesses, NumberStyles.None, CultureInfo.InvariantCulture, out var workers) && workers is >= 1 and <= 1024))
            {
                failures.Add($"{Section}:WorkerProcesses '{options.WorkerProcesses}' must be \"auto\" or a number from 1 to 1024.");
            }
        }
        else
        {
            CheckPath(failures, "ConfDirectory", options.ConfDirectory);
            CheckPath(failures, "MainConfigPath", options.MainConfigPath);
            CheckPath(failures, "ErrorLogPath", options.ErrorLogPath);
            if (options.ReloadCommand.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{Section}:ReloadCommand must not contain empty elements (one element per argument, the program first).");
            }
        }

        if (!string.IsNullOrEmpty(options.AccessLogDirectory))
        {
            CheckPath(failures, "AccessLogDirectory", options.AccessLogDirectory);
        }

        if (options.UpstreamKeepalive is < 0 or > 1024)
        {
            failures.Add($"{Section}:UpstreamKeepalive {options.UpstreamKeepalive} must be from 0 (no keep-alive) to 1024.");
        }

        if (options.AccessLogMaxBytes != 0 && options.AccessLogMaxBytes < 1024 * 1024)
        {
            failures.Add($"{Section}:AccessLogMaxBytes {options.AccessLogMaxBytes} must be 0 (no rotation) or at least 1048576 (1 MiB).");
        }

        if (!Duration.TryParse(options.ReloadConfirmTimeout, out var confirm) || confirm < TimeSpan.FromMilliseconds(100) || confirm > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Section}:ReloadConfirmTimeout '{options.ReloadConfirmTimeout}' must be a duration from 100ms to 5m (e.g. 5s).");
        }

        var domains = options.Domains ?? new NginxDomainOptions();
        if (!NginxRouteValidator.IsListenAddress(domains.ListenAddress))
        {
            failures.Add($"{Section}:Domains:ListenAddress '{domains.ListenAddress}' must be an IPv4 address (e.g. 0.0.0.0) or an IPv6 address in brackets.");
        }

        if (domains.HttpPort is < 1 or > 65535 || domains.HttpsPort is < 1 or > 65535 || domains.HttpPort == domains.HttpsPort)
        {
            failures.Add($"{Section}:Domains:HttpPort {domains.HttpPort} and HttpsPort {domains.HttpsPort} must be two different TCP ports (1-65535).");
        }

        CheckPath(failures, "Domains:TlsDirectory", domains.TlsDirectory);
        if (!string.IsNullOrEmpty(domains.ChallengeDirectory))
        {
            CheckPath(failures, "Domains:ChallengeDirectory", domains.ChallengeDirectory);
        }

        if (string.IsNullOrWhiteSpace(domains.Certbot))
        {
            failures.Add($"{Section}:Domains:Certbot must name the ACME client (e.g. \"certbot\").");
        }

        if (!Duration.TryParse(domains.IssueTimeout, out var issue) || issue < TimeSpan.FromSeconds(5) || issue > TimeSpan.FromMinutes(30))
        {
            failures.Add($"{Section}:Domains:IssueTimeout '{domains.IssueTimeout}' must be a duration from 5s to 30m (e.g. 3m).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPath(List<string> failures, string key, string? value)
    {
        if (!NginxRouteValidator.IsSafePath(value))
        {
            failures.Add($"{NginxOptions.SectionName}:{key} '{value}' must be an absolute path or start with ~/, without quotes, backslashes, '$', ';', braces or control characters.");
        }
    }
}
