using Microsoft.Extensions.Configuration;

namespace DeployMind.Infrastructure.Configuration;

/// <summary>
/// Where a process's settings come from, lowest precedence first: the machine's file (<c>/etc/deploymind/config.yml</c>),
/// the user's (<c>~/.deploymind/config.yml</c>), the process's own (a server's or worker's <c>--config</c>), then — per
/// app — the app's <c>deploymind.yml</c> (or an explicit file), then <c>DEPLOYMIND__*</c> environment variables, then
/// overrides (tests, flags). The CLI's host, the server's and every job's app configuration are layered by this one type.
/// </summary>
/// <param name="MachineFile">The machine-wide file, or null to read none (optional: read when it exists).</param>
/// <param name="UserFile">The user's file, or null to read none (optional).</param>
/// <param name="ProcessFile">The process's own file, or null (must exist).</param>
/// <param name="Overrides">Highest-precedence settings, keyed like configuration paths ("build:network").</param>
public sealed record ConfigurationLayers(string? MachineFile, string? UserFile, string? ProcessFile, IReadOnlyDictionary<string, string?> Overrides)
{
    public const string EnvironmentPrefix = "DEPLOYMIND__";

    /// <summary>The machine configuration file (written by scripts/bootstrap.sh on air-gapped machines).</summary>
    public static string MachineConfigPath => Environment.GetEnvironmentVariable("DEPLOYMIND_MACHINE_CONFIG") ?? "/etc/deploymind/config.yml";

    /// <summary>The user's configuration file.</summary>
    public static string UserConfigPath =>
        Path.Combine(Environment.GetEnvironmentVariable("DEPLOYMIND_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deploymind"), "config.yml");

    /// <summary>The usual layers of a process: machine and user files in their places, no process file, no overrides.</summary>
    public static ConfigurationLayers Default => new(MachineConfigPath, UserConfigPath, null, new Dictionary<string, string?>());

    /// <summary>
    /// Adds the layers to <paramref name="configuration"/>, with the app's settings between the process's and the environment
    /// variables: <paramref name="configFile"/> when given (it must exist), else the app's <c>deploymind.yml</c> in
    /// <paramref name="appPath"/> when there is one.
    /// </summary>
    /// <param name="configuration">What the layers are added to.</param>
    /// <param name="appPath">The app's folder, or null.</param>
    /// <param name="configFile">An explicit file read instead of the app's deploymind.yml, or null.</param>
    /// <param name="reset">Settings put back to their defaults, above everything (the <c>validate</c> command's second pass).</param>
    /// <exception cref="FileNotFoundException"><paramref name="configFile"/> or the process's file does not exist.</exception>
    public void AddTo(IConfigurationBuilder configuration, string? appPath, string? configFile, IReadOnlyDictionary<string, string?>? reset = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (MachineFile is not null)
        {
            AddYaml(configuration, MachineFile, optional: true);
        }

        if (UserFile is not null)
        {
            AddYaml(configuration, UserFile, optional: true);
        }

        var explicitFile = configFile is null ? null : Path.GetFullPath(configFile);
        if (ProcessFile is not null && !string.Equals(Path.GetFullPath(ProcessFile), explicitFile, StringComparison.Ordinal))
        {
            AddYaml(configuration, Path.GetFullPath(ProcessFile), optional: false);
        }

        if (explicitFile is not null)
        {
            if (!File.Exists(explicitFile))
            {
                throw new FileNotFoundException($"The configuration file '{explicitFile}' does not exist.", explicitFile);
            }

            AddYaml(configuration, explicitFile, optional: false);
        }
        else if (appPath is not null)
        {
            AddYaml(configuration, Path.Combine(Path.GetFullPath(appPath), "deploymind.yml"), optional: true);
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddInMemoryCollection(Overrides);
        if (reset is { Count: > 0 })
        {
            configuration.AddInMemoryCollection(reset);
        }
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
