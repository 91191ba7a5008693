using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Configuration;

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

    /// <summary>This environment's variables, added to the app's <c>env</c> and overriding them.</summary>
    public EnvOptions Env { get; set; } = new();

    /// <summary>Where secret values are looked up here; when it names sources they replace the app's.</summary>
    public SecretsOptions Secrets { get; set; } = new();

    /// <summary>This environment's process settings, each field overriding the app's <c>processes</c> entry of the same name.</summary>
    public Dictionary<string, ProcessOptions> Processes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>This environment's public names, replacing the app's <c>domains</c> (an empty list: none here).</summary>
    public List<string>? Domains { get; set; }

    /// <summary>This environment's HTTPS settings, replacing the app's <c>tls</c>.</summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>Releases kept on each host for fast rollbacks.</summary>
    public int KeepReleases { get; set; } = 3;

    /// <summary>What this environment builds differently: its registry (<c>build.registry</c>).</summary>
    public Build.EnvironmentBuildOptions Build { get; set; } = new();

    /// <summary>The strategy named by <paramref name="text"/> (rolling, canary, blue-green).</summary>
    public static StrategyKind ParseStrategy(string? text, string key) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "rolling" => StrategyKind.Rolling,
        "canary" => StrategyKind.Canary,
        "blue-green" or "bluegreen" or "blue_green" => StrategyKind.BlueGreen,
        _ => throw new InvalidInputException($"{key}: '{text}' is not a strategy; use rolling, canary or blue-green."),
    };
}
