namespace DeployMind.Application.Configuration;

/// <summary>A problem with a setting in the configuration files or environment, found before anything reads it.</summary>
/// <param name="Key">The configuration path ("environments:production:target:docker:port").</param>
/// <param name="Message">One sentence starting with the key's dotted form ("environments.production.target.docker.port: 'abc' is not a whole number.").</param>
/// <param name="Location">Where the setting was written, when known.</param>
/// <param name="IsWarning">A warning (an unknown key, which is ignored) rather than an error (a value that cannot be read).</param>
public sealed record ConfigurationProblem(string Key, string Message, ConfigurationLocation? Location, bool IsWarning)
{
    /// <summary>An error found by a setting's own check (<paramref name="message"/> starts with its key), told where the key is written.</summary>
    public static ConfigurationProblem Of(IConfigurationLocator locator, string message)
    {
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(message);
        var key = ConfigurationKey.Leading(message);
        return new ConfigurationProblem(key ?? string.Empty, message, key is null ? null : locator.Locate(key), IsWarning: false);
    }

    /// <summary>"deploymind.yml:9:15: environments.production.target.docker.port: 'abc' is not a whole number."</summary>
    public override string ToString() => ConfigurationMessages.WithLocation(Message, ConfigurationKey.Display(Key), Location);
}
