using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Hosts;

namespace DeployMind.Application.Deploy;

/// <summary>The top level of deploymind.yml that deploys need: the app's name and its environments.</summary>
public sealed class AppOptions
{
    /// <summary>The app's name (containers, nginx site); default: the folder's name.</summary>
    public string? App { get; set; }

    /// <summary>Pull request previews of this app (<c>previews:</c>).</summary>
    public PreviewOptions Previews { get; set; } = new();

    /// <summary>Environments by name (production, staging, ...).</summary>
    public Dictionary<string, EnvironmentOptions> Environments { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The environment's settings, or the defaults when it is not configured.</summary>
    public EnvironmentOptions Environment(string name) => Environments.TryGetValue(name, out var configured) ? configured : new EnvironmentOptions();
}

/// <summary>
/// <c>previews:</c> how an open pull request's own instance of the app is served. It deploys with the settings of the
/// environment the server queues previews to (<c>environments.preview</c>, else the defaults: this machine), as app
/// <c>&lt;app&gt;-pr-&lt;n&gt;</c>, on the same nginx port as the others, told apart by its server name.
/// </summary>
public sealed class PreviewOptions
{
    /// <summary>false: pull requests of this app get no preview (the server's jobs for them end cancelled, saying so).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Previews answer at <c>pr-&lt;n&gt;.&lt;domain&gt;</c>. The default, localhost, resolves to this machine everywhere.</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>The nginx port previews are served on (default: the environment's <c>target.docker.port</c>).</summary>
    public int? Port { get; set; }

    /// <summary>The server name of pull request <paramref name="number"/>'s preview.</summary>
    /// <exception cref="InvalidInputException"><see cref="Domain"/> is not a host name.</exception>
    public string ServerName(int number)
    {
        var domain = Domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain.Length is 0 or > 200 || !domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') || domain.StartsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidInputException($"previews.domain: '{Domain}' is not a domain name (letters, digits, '-' and dots), e.g. preview.example.com.");
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pr-{number}.{domain}");
    }

    /// <summary>The app name of pull request <paramref name="number"/>'s preview of <paramref name="app"/>.</summary>
    public static string AppName(string app, int number) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{app}-pr-{number}");
}

/// <summary>One environment (<c>environments.&lt;name&gt;</c>).</summary>
public sealed class EnvironmentOptions
{
    /// <summary>The branch whose pushes deploy here.</summary>
    public string? Branch { get; set; }

    /// <summary>rolling (default), canary or blue-green.</summary>
    public string Strategy { get; set; } = "rolling";

    public TargetOptions Target { get; set; } = new();

    public HealthCheckOptions HealthCheck { get; set; } = new();

    public CanaryOptions Canary { get; set; } = new();

    public BlueGreenOptions BlueGreen { get; set; } = new();

    /// <summary>Which security findings stop a deployment here.</summary>
    public ScanPolicyOptions Scan { get; set; } = new();

    /// <summary>The check through nginx after the switch (the verify stage).</summary>
    public VerifyOptions Verify { get; set; } = new();

    /// <summary>Releases kept on each host for fast rollbacks.</summary>
    public int KeepReleases { get; set; } = 3;

    /// <summary>The strategy named by <paramref name="text"/> (rolling, canary, blue-green).</summary>
    public static StrategyKind ParseStrategy(string? text, string key) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "rolling" => StrategyKind.Rolling,
        "canary" => StrategyKind.Canary,
        "blue-green" or "bluegreen" or "blue_green" => StrategyKind.BlueGreen,
        _ => throw new InvalidInputException($"{key}: '{text}' is not a strategy; use rolling, canary or blue-green."),
    };
}

/// <summary><c>target:</c> where an environment deploys.</summary>
public sealed class TargetOptions
{
    public DockerTargetOptions? Docker { get; set; }

    /// <summary>A Kubernetes namespace instead of Docker hosts (the two exclude each other).</summary>
    public KubernetesTargetOptions? Kubernetes { get; set; }
}

/// <summary><c>target.docker:</c> Docker hosts behind their own nginx.</summary>
public sealed class DockerTargetOptions
{
    /// <summary>The hosts, deployed in this order; none means this machine.</summary>
    public List<HostOptions>? Hosts { get; set; }

    /// <summary>The port nginx serves the app on, on every host.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Rolling: hosts switched at once.</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>Time for in-flight requests after traffic leaves a container.</summary>
    public string Drain { get; set; } = "2s";
}

/// <summary>One host: this machine (no ssh) or an SSH host.</summary>
public sealed class HostOptions
{
    public string Name { get; set; } = "local";

    /// <summary><c>user@host</c> or <c>ssh://user@host:port</c>; empty for this machine.</summary>
    public string? Ssh { get; set; }

    /// <summary>Private key file for SSH (default ~/.ssh/id_ed25519, then id_rsa).</summary>
    public string? Key { get; set; }

    /// <summary>known_hosts file (default ~/.ssh/known_hosts).</summary>
    public string? KnownHosts { get; set; }

    /// <summary>Refuse hosts whose key is not in known_hosts (default). false is an explicit opt-out.</summary>
    public bool StrictHostKeyChecking { get; set; } = true;

    /// <summary>How the host is reached, parsed: this machine when <see cref="Ssh"/> is empty (or <c>local</c>), else its address.</summary>
    /// <exception cref="InvalidInputException">The address is malformed; the message says why (the caller names the key).</exception>
    public HostAddress ParseAddress() => HostAddress.Parse(Ssh);
}

/// <summary><c>healthCheck:</c>.</summary>
public sealed class HealthCheckOptions
{
    public string Path { get; set; } = "/health";

    public string Interval { get; set; } = "2s";

    public string Timeout { get; set; } = "2s";

    public int Successes { get; set; } = 3;

    public string Deadline { get; set; } = "60s";

    public HealthPolicy ToPolicy(string key)
    {
        try
        {
            return new(Path, Duration.Parse(Interval, key + ".interval"), Duration.Parse(Timeout, key + ".timeout"), Successes, Duration.Parse(Deadline, key + ".deadline"));
        }
        catch (InvalidInputException ex) when (ex.Message.StartsWith("healthCheck.", StringComparison.Ordinal))
        {
            // The policy names its keys relative to healthCheck; say where they are.
            throw new InvalidInputException(key + ex.Message["healthCheck".Length..], ex);
        }
    }
}

/// <summary><c>canary:</c>.</summary>
public sealed class CanaryOptions
{
    /// <summary>Traffic percentages; default [10, 50, 100].</summary>
    public List<int>? Steps { get; set; }

    public string StepDuration { get; set; } = "5m";

    public double MaxErrorRate { get; set; } = 0.05;

    public int MinRequests { get; set; } = 20;

    /// <summary>extend (default), pass or fail.</summary>
    public string OnInsufficientData { get; set; } = "extend";

    public int MaxExtensions { get; set; } = 2;

    /// <summary>p95 latency limit in milliseconds; none by default.</summary>
    public double? MaxP95 { get; set; }

    public CanaryPolicy ToPolicy(string key)
    {
        var action = OnInsufficientData.Trim().ToLowerInvariant() switch
        {
            "extend" => InsufficientDataAction.Extend,
            "pass" => InsufficientDataAction.Pass,
            "fail" => InsufficientDataAction.Fail,
            _ => throw new InvalidInputException($"{key}.onInsufficientData: '{OnInsufficientData}' must be extend, pass or fail."),
        };
        try
        {
            return new CanaryPolicy(Steps is { Count: > 0 } ? Steps : [10, 50, 100], Duration.Parse(StepDuration, key + ".stepDuration"), MaxErrorRate, MinRequests, action, MaxExtensions, MaxP95);
        }
        catch (InvalidInputException ex) when (ex.Message.StartsWith("canary.", StringComparison.Ordinal))
        {
            // The policy names its keys relative to canary; say where they are.
            throw new InvalidInputException(key + ex.Message["canary".Length..], ex);
        }
    }
}

/// <summary><c>blueGreen:</c>.</summary>
public sealed class BlueGreenOptions
{
    /// <summary>How long the old colour stays warm while the new one is watched.</summary>
    public string ObservationWindow { get; set; } = "2m";
}

/// <summary><c>scan:</c> which findings block a deployment of the environment (a run may still pass with --allow-findings, recorded).</summary>
public sealed class ScanPolicyOptions
{
    /// <summary>Repository findings (secrets, risky settings) at or above this severity block: critical, high (default), medium, low, info or none.</summary>
    public string BlockAt { get; set; } = "high";

    /// <summary>Image findings (known vulnerabilities from Trivy) at or above this severity block: critical (default), high, medium, low, info or none.</summary>
    public string ImageBlockAt { get; set; } = "critical";

    /// <summary>The severity named by <paramref name="text"/>, or null for none.</summary>
    /// <exception cref="InvalidInputException">Not a severity; the message names <paramref name="key"/>.</exception>
    public static Domain.Findings.Severity? ParseThreshold(string? text, string key)
    {
        var value = text?.Trim();
        if (string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return !string.IsNullOrEmpty(value) && value.All(char.IsAsciiLetter) && Enum.TryParse<Domain.Findings.Severity>(value, ignoreCase: true, out var severity)
            ? severity
            : throw new InvalidInputException($"{key}: '{text}' is not a severity; use critical, high, medium, low, info or none.");
    }
}

/// <summary>
/// <c>verify:</c> after the new release serves all traffic, the app is requested through nginx on every host, as
/// users reach it; if it does not answer well, the hosts go back to the previous release, which kept running.
/// </summary>
public sealed class VerifyOptions
{
    /// <summary>false skips the stage.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path requested through nginx (default: the health check's path).</summary>
    public string? Path { get; set; }

    /// <summary>Consecutive good answers needed on each host.</summary>
    public int Successes { get; set; } = 3;

    /// <summary>Consecutive bad answers on one path that end verify at once (0: only the deadline does).</summary>
    public int Failures { get; set; } = 3;

    /// <summary>
    /// Compare with the release that served before: <c>/</c>, the health path and the verify path are asked of it before
    /// the switch, and a path that answered below 500 there must not answer 5xx on the new release.
    /// </summary>
    public bool Compare { get; set; } = true;

    public string Interval { get; set; } = "1s";

    public string Timeout { get; set; } = "2s";

    /// <summary>How long each host has to give its good answers.</summary>
    public string Deadline { get; set; } = "30s";

    /// <summary>The checked settings.</summary>
    /// <exception cref="InvalidInputException">A setting is invalid; the message names its key.</exception>
    public VerifyPolicy ToPolicy(string key, string healthPath)
    {
        var path = string.IsNullOrWhiteSpace(Path) ? healthPath : Path.Trim();
        if (!path.StartsWith('/'))
        {
            throw new InvalidInputException($"{key}.path: '{path}' must start with '/'.");
        }

        if (Successes is < 1 or > 100)
        {
            throw new InvalidInputException($"{key}.successes: {Successes} is out of range; use 1 to 100.");
        }

        if (Failures is < 0 or > 100)
        {
            throw new InvalidInputException($"{key}.failures: {Failures} is out of range; use 1 to 100, or 0 to wait for the deadline.");
        }

        IReadOnlyList<string> compared = Compare ? [.. new[] { "/", healthPath, path }.Distinct(StringComparer.Ordinal)] : [];
        return new VerifyPolicy(
            Enabled, path, Successes, Duration.Parse(Interval, key + ".interval"), Duration.Parse(Timeout, key + ".timeout"), Duration.Parse(Deadline, key + ".deadline"))
        {
            Failures = Failures,
            Compared = compared,
        };
    }
}

/// <summary>The verify stage's settings, checked.</summary>
/// <param name="Enabled">false: the stage is skipped.</param>
/// <param name="Path">The path that must answer below 400 <paramref name="Successes"/> times in a row.</param>
/// <param name="Successes">Consecutive good answers needed on each host, on every path checked.</param>
/// <param name="Interval">Time between rounds of requests.</param>
/// <param name="Timeout">Time one request may take.</param>
/// <param name="Deadline">How long each host has.</param>
public sealed record VerifyPolicy(bool Enabled, string Path, int Successes, TimeSpan Interval, TimeSpan Timeout, TimeSpan Deadline)
{
    /// <summary>Consecutive bad answers on one path that end the check at once; 0: only the deadline ends it.</summary>
    public int Failures { get; init; } = 3;

    /// <summary>Paths compared with the release that served before the switch (empty: no comparison).</summary>
    public IReadOnlyList<string> Compared { get; init; } = [];
}
