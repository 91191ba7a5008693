namespace DeployMind.Application.Configuration;

/// <summary>A problem with a setting in the configuration files or environment, found before anything reads it.</summary>
/// <param name="Key">The configuration path ("environments:production:target:docker:port").</param>
/// <param name="Message">One sentence starting with the key's dotted form ("environments.production.target.docker.port: 'abc' is not a whole number.").</param>
/// <param name="Location">Where the setting was written, when known.</param>
/// <param name="IsWarning">A warning (an unknown key, which is ignored) rather than an error (a value that cannot be read).</param>
public sealed record ConfigurationProblem(string Key, string Message, ConfigurationLocation? Location, bool IsWarning)
{
    /// <summary>"deploymind.yml:9:15: environments.production.target.docker.port: 'abc' is not a whole number."</summary>
    public override string ToString() => ConfigurationMessages.WithLocation(Message, ConfigurationKey.Display(Key), Location);
}
