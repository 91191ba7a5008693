using DeployMind.Application;
using DeployMind.Application.Configuration;
using DeployMind.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeployMind.Cli.Hosting;

/// <summary>
/// Builds the service host a command runs in, with the configuration layered from lowest to highest precedence:
/// <c>/etc/deploymind/config.yml</c> (machine), <c>~/.deploymind/config.yml</c> (user), the app's
/// <c>deploymind.yml</c> (or <c>--config</c>), then <c>DEPLOYMIND__*</c> environment variables.
/// The same registrations as the server: one wiring, two front doors. Values that cannot be read stop a command here, each
/// with its file:line:column; <see cref="Locator"/> lets later errors that name a key say where it is written.
/// </summary>
public sealed class CliHostFactory
{
    public const string EnvironmentPrefix = "DEPLOYMIND__";

    private readonly IReadOnlyDictionary<string, string?> _overrides;
    private readonly string? _machineConfig;
    private readonly string? _userConfig;
    private readonly string? _processConfig;

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

    private CliHostFactory(CliHostFactory from, string processConfig)
        : this(from._overrides, from._machineConfig, from._userConfig)
    {
        _processConfig = Path.GetFullPath(processConfig);
    }

    /// <summary>
    /// A factory whose hosts also read <paramref name="processConfig"/> (a server's or worker's <c>--config</c>), above the
    /// machine and user files and below each app's deploymind.yml: the process's settings (database, queue, GitHub) reach
    /// every job, and each app still configures its own deploys. Null: this factory.
    /// </summary>
    public CliHostFactory WithProcessConfig(string? processConfig) => processConfig is null ? this : new CliHostFactory(this, processConfig);

    /// <summary>
    /// A factory that reads only the app's (or the given) configuration and records deployments in a file of its own
    /// (<paramref name="databasePath"/>, else a new one under the temp folder): what tests need to be independent of the machine.
    /// </summary>
    public static CliHostFactory Isolated(string? databasePath = null) => new(
        new Dictionary<string, string?> { ["database:path"] = databasePath ?? Path.Combine(IsolatedFolder.Value, $"{Guid.NewGuid():N}.db") },
        null,
        null);

    // One folder per process for the isolated factories' databases, deleted when the process ends.
    private static readonly Lazy<string> IsolatedFolder = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"deploymind-isolated-{Environment.ProcessId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder: harmless.
            }
        };
        return folder;
    });

    /// <summary>The machine-wide configuration file (written by scripts/bootstrap.sh on air-gapped machines).</summary>
    public static string MachineConfigPath => Environment.GetEnvironmentVariable("DEPLOYMIND_MACHINE_CONFIG") ?? "/etc/deploymind/config.yml";

    /// <summary>The user's configuration file.</summary>
    public static string UserConfigPath =>
        Path.Combine(Environment.GetEnvironmentVariable("DEPLOYMIND_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deploymind"), "config.yml");

    /// <summary>
    /// Where the settings of the host created last came from: the CLI points an error that names a key at the file and
    /// line (or the environment variable) after the command's host is gone. Null before the first host.
    /// </summary>
    public IConfigurationLocator? Locator { get; private set; }

    /// <summary>Creates the host for an app folder (its deploymind.yml is read when present).</summary>
    /// <param name="appPath">The app folder, or null when the command has none.</param>
    /// <param name="configFile">An explicit configuration file (<c>--config</c>), which must exist.</param>
    /// <param name="verbose">Log debug output to standard error.</param>
    /// <exception cref="InvalidConfigurationException">Settings whose values cannot be read (every one, with file:line:column).</exception>
    public IHost Create(string? appPath, string? configFile, bool verbose)
    {
        var host = Build(appPath, configFile, verbose, reset: new Dictionary<string, string?>());
        var invalid = host.Services.GetRequiredService<ConfigurationChecker>().InvalidValues();
        if (invalid.Count > 0)
        {
            host.Dispose();
            throw new InvalidConfigurationException(invalid);
        }

        return host;
    }

    /// <summary>
    /// Creates the host <c>validate</c> checks, with the configuration's own problems: values that cannot be read (set back
    /// to their defaults in the host, so everything else can still be checked) and keys no setting has.
    /// </summary>
    internal IHost CreateChecked(string? appPath, string? configFile, bool verbose, out IReadOnlyList<ConfigurationProblem> problems)
    {
        var host = Build(appPath, configFile, verbose, reset: new Dictionary<string, string?>());
        var checker = host.Services.GetRequiredService<ConfigurationChecker>();
        var invalid = checker.InvalidValues();
        problems = [.. invalid, .. checker.UnknownKeys()];
        if (invalid.Count == 0)
        {
            return host;
        }

        var defaults = invalid.ToDictionary(p => p.Key, p => checker.DefaultOf(p.Key), StringComparer.OrdinalIgnoreCase);
        host.Dispose();
        return Build(appPath, configFile, verbose, reset: defaults);
    }

    /// <summary>
    /// Configures <paramref name="builder"/> (the server's web host) like every command's host: the same configuration layers
    /// (its own sources are replaced), logging at <paramref name="minimumLevel"/>, the same registrations.
    /// </summary>
    public void Configure(IHostApplicationBuilder builder, string? configFile, LogLevel minimumLevel)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.Sources.Clear();
        Configure(builder, null, configFile, minimumLevel, new Dictionary<string, string?>());
    }

    /// <summary>The invalid values of a host built by <see cref="Configure(IHostApplicationBuilder, string?, LogLevel)"/>, thrown.</summary>
    /// <exception cref="InvalidConfigurationException">Settings whose values cannot be read.</exception>
    public void Check(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var invalid = services.GetRequiredService<ConfigurationChecker>().InvalidValues();
        Locator = services.GetRequiredService<IConfigurationLocator>();
        if (invalid.Count > 0)
        {
            throw new InvalidConfigurationException(invalid);
        }
    }

    private IHost Build(string? appPath, string? configFile, bool verbose, Dictionary<string, string?> reset)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        Configure(builder, appPath, configFile, verbose ? LogLevel.Debug : LogLevel.Warning, reset);
        var host = builder.Build();
        Locator = host.Services.GetRequiredService<IConfigurationLocator>();
        return host;
    }

    private void Configure(IHostApplicationBuilder builder, string? appPath, string? configFile, LogLevel minimumLevel, Dictionary<string, string?> reset)
    {
        var configuration = builder.Configuration;
        if (_machineConfig is not null)
        {
            AddYaml(configuration, _machineConfig, optional: true);
        }

        if (_userConfig is not null)
        {
            AddYaml(configuration, _userConfig, optional: true);
        }

        if (_processConfig is not null && !string.Equals(_processConfig, configFile is null ? null : Path.GetFullPath(configFile), StringComparison.Ordinal))
        {
            AddYaml(configuration, _processConfig, optional: false);
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
        if (reset.Count > 0)
        {
            // Settings put back to their defaults win over every source.
            configuration.AddInMemoryCollection(reset);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter(level => level >= minimumLevel);
        if (minimumLevel > LogLevel.Debug)
        {
            // ASP.NET Core's per-request information is noise at the server's default level.
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.AddDeployMindApplication();
        builder.AddDeployMindInfrastructure();
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
