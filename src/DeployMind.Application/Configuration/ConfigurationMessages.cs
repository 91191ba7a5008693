namespace DeployMind.Application.Configuration;

/// <summary>Error messages that name a configuration key, told where the key was written.</summary>
public static class ConfigurationMessages
{
    /// <summary>
    /// <paramref name="message"/> with the location of the key it starts with: "deploymind.yml:14:15: environments.production.strategy: …",
    /// or "environments.production.strategy (from environment variable DEPLOYMIND__…): …". Unchanged when it starts with no key
    /// the configuration has.
    /// </summary>
    public static string Describe(this IConfigurationLocator locator, string message)
    {
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(message);
        var key = ConfigurationKey.Leading(message);
        return key is null ? message : WithLocation(message, key, locator.Locate(key));
    }

    /// <summary><paramref name="message"/>, which starts with <paramref name="key"/>, told <paramref name="location"/> (none: unchanged).</summary>
    public static string WithLocation(string message, string key, ConfigurationLocation? location)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(key);
        return location switch
        {
            null => message,
            { File: not null } => $"{location}: {message}",
            _ when message.StartsWith(key, StringComparison.Ordinal) => $"{key} (from {location}){message[key.Length..]}",
            _ => $"{message} (from {location})",
        };
    }
}
