using DeployMind.Application.Configuration;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeployMind.Cli.Hosting;

/// <summary>
/// Builds the one service host a command runs in (<see cref="Infrastructure.Hosting.AddDeployMind"/>), with the configuration layered from
/// lowest to highest precedence: <c>/etc/deploymind/config.yml</c> (machine), <c>~/.deploymind/config.yml</c> (user), the
/// app's <c>deploymind.yml</c> (or <c>--config</c>), then <c>DEPLOYMIND__*</c> environment variables. The same composition
/// as the server. Values that cannot be read stop a command here, each with its file:line:column; <see cref="Locator"/>
/// lets later errors that name a key say where it is written.
/// </summary>
public sealed class CliHostFactory
{
    public const string EnvironmentPrefix = ConfigurationLayers.EnvironmentPrefix;

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
        Layers = new ConfigurationLayers(machineConfig, userConfig, null, overrides);
    }

    /// <summary>Where this factory's hosts read their settings.</summary>
    public ConfigurationLayers Layers { get; }

    /// <summary>For tests: registrations applied after DeployMind's own (a loopback cloud's clients in place of the real ones).</summary>
    internal Action<IServiceCollection>? Replacements { get; init; }

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
    public static string MachineConfigPath => ConfigurationLayers.MachineConfigPath;

    /// <summary>The user's configuration file.</summary>
    public static string UserConfigPath => ConfigurationLayers.UserConfigPath;

    /// <summary>
    /// Where the settings of the host created last came from: the CLI points an error that names a key at the file and
    /// line (or the environment variable) after the command's host is gone. Null before the first host.
    /// </summary>
    public IConfigurationLocator? Locator { get; private set; }

    /// <summary>Creates the host for an app folder (its deploymind.yml is read when present).</summary>
    /// <param name="appPath">The app folder, or null when the command has none.</param>
    /// <param name="configFile">An explicit configuration file (<c>--config</c>), which must exist: the app's when there is an app, else the process's (a worker's).</param>
    /// <param name="verbose">Log debug output to standard error.</param>
    /// <param name="quietLevel">
    /// What is logged without <paramref name="verbose"/>: nothing by default — a command's own output says what matters, and
    /// logger lines ("warn: DeployMind…[0]") in it are noise; a worker, whose jobs' outcomes only its log tells, passes Warning.
    /// </param>
    /// <exception cref="InvalidConfigurationException">Settings whose values cannot be read (every one, with file:line:column).</exception>
    public IHost Create(string? appPath, string? configFile, bool verbose, LogLevel quietLevel = LogLevel.None)
    {
        var host = Build(appPath, configFile, verbose ? LogLevel.Debug : quietLevel, reset: null);
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
        var host = Build(appPath, configFile, verbose ? LogLevel.Debug : LogLevel.None, reset: null);
        var checker = host.Services.GetRequiredService<ConfigurationChecker>();
        var invalid = checker.InvalidValues();
        problems = [.. invalid, .. checker.UnknownKeys()];
        if (invalid.Count == 0)
        {
            return host;
        }

        var defaults = invalid.ToDictionary(p => p.Key, p => checker.DefaultOf(p.Key), StringComparer.OrdinalIgnoreCase);
        host.Dispose();
        return Build(appPath, configFile, verbose ? LogLevel.Debug : LogLevel.None, reset: defaults);
    }

    /// <summary>
    /// Configures <paramref name="builder"/> (the server's web host) like every command's host: the same configuration layers
    /// (its own sources are replaced), with <paramref name="configFile"/> as the process's file, logging at
    /// <paramref name="minimumLevel"/>, the same registrations.
    /// </summary>
    public void Configure(IHostApplicationBuilder builder, string? configFile, LogLevel minimumLevel)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDeployMind(Layers, null, configFile, minimumLevel);
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

    private IHost Build(string? appPath, string? configFile, LogLevel minimumLevel, IReadOnlyDictionary<string, string?>? reset)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.AddDeployMind(Layers, appPath, configFile, minimumLevel, reset);
        Replacements?.Invoke(builder.Services);
        var host = builder.Build();
        Locator = host.Services.GetRequiredService<IConfigurationLocator>();
        return host;
    }
}
