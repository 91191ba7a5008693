using DeployMind.Application;
using DeployMind.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeployMind.Cli.Hosting;

/// <summary>
/// Builds the service host a command runs in, with the configuration layered from lowest to highest precedence:
/// <c>/etc/deploymind/config.yml</c> (machine), <c>~/.deploymind/config.yml</c> (user), the app's
/// <c>deploymind.yml</c> (or <c>--config</c>), then <c>DEPLOYMIND__*</c> environment variables.
/// The same registrations as the server: one wiring, two front doors.
/// </summary>
public sealed class CliHostFactory
{
    public const string EnvironmentPrefix = "DEPLOYMIND__";

    private readonly IReadOnlyDictionary<string, string?> _overrides;
    private readonly string? _machineConfig;
    private readonly string? _userConfig;

    /// <summary>The CLI's factory: machine and user configuration files in their usual places.</summary>
    public CliHostFactory()
        : this(new Dictionary<string, string?>(), MachineConfigPath, UserConfigPath)
    {
    }

    /// <param name="overrides">Highest-precedence settings (tests, flags), keyed like configuration paths ("build:network").</param>
    /// <param name="machineConfig">The machine-wide file, or null to read none.</param>
    /// <param name="userConfig">The user's file, or null to read none.</param>
    public CliHostFactory(IReadOnlyDictionary<string, string?> overrides, string? machineConfig, string? userConfig)
    {
        _overrides = overrides;
        _machineConfig = machineConfig;
        _userConfig = userConfig;
    }

    /// <summary>
    /// A factory that reads only the app's (or the given) configuration and records deployments in a file of its own
    /// (<paramref name="databasePath"/>, else a new one under the temp folder): what tests need to be independent of the machine.
    /// </summary>
    public static CliHostFactory Isolated(string? databasePath = null) => new(
        new Dictionary<string, string?> { ["database:path"] = databasePath ?? Path.Combine(Path.GetTempPath(), "deploymind-isolated", $"{Guid.NewGuid():N}.db") },
        null,
        null);

    /// <summary>The machine-wide configuration file (written by scripts/bootstrap.sh on air-gapped machines).</summary>
    public static string MachineConfigPath => Environment.GetEnvironmentVariable("DEPLOYMIND_MACHINE_CONFIG") ?? "/etc/deploymind/config.yml";

    /// <summary>The user's configuration file.</summary>
    public static string UserConfigPath =>
        Path.Combine(Environment.GetEnvironmentVariable("DEPLOYMIND_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deploymind"), "config.yml");

    /// <summary>Creates the host for an app folder (its deploymind.yml is read when present).</summary>
    /// <param name="appPath">The app folder, or null when the command has none.</param>
    /// <param name="configFile">An explicit configuration file (<c>--config</c>), which must exist.</param>
    /// <param name="verbose">Log debug output to standard error.</param>
    public IHost Create(string? appPath, string? configFile, bool verbose)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        var configuration = builder.Configuration;
        if (_machineConfig is not null)
        {
            AddYaml(configuration, _machineConfig, optional: true);
        }

        if (_userConfig is not null)
        {
            AddYaml(configuration, _userConfig, optional: true);
        }
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"The configuration file '{full}' does not exist.", full);
            }

            AddYaml(configuration, full, optional: false);
        }
        else if (appPath is not null)
        {
            AddYaml(configuration, Path.Combine(Path.GetFullPath(appPath), "deploymind.yml"), optional: true);
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddInMemoryCollection(_overrides);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter(level => level >= (verbose ? LogLevel.Debug : LogLevel.Warning));

        builder.AddDeployMindApplication();
        builder.AddDeployMindInfrastructure();
        return builder.Build();
    }

    private static void AddYaml(IConfigurationBuilder configuration, string path, bool optional)
    {
        if (optional && !File.Exists(path))
        {
            return;
        }

        configuration.AddYamlFile(path, optional, reloadOnChange: false);
    }
}
