namespace DeployMind.Application.Configuration;

/// <summary>
/// Where settings come from, so an error naming a key can also say where to fix it (file:line:column or the environment
/// variable). Keys are configuration paths ("environments:production:strategy") or the dotted form errors use
/// ("environments.production.target.docker.hosts[0].ssh"), compared case-insensitively.
/// </summary>
public interface IConfigurationLocator
{
    /// <summary>
    /// Where the setting at <paramref name="key"/> that is in effect was written: for a value, the highest-precedence source
    /// that sets it; for a section (or a value left at its default), the highest-precedence file that writes the nearest
    /// enclosing section below the top level. Null when there is nowhere to point (a default, a command-line flag).
    /// </summary>
    ConfigurationLocation? Locate(string key);

    /// <summary>Every key written in the configuration files, in precedence order (lowest first), each file in document order.</summary>
    IReadOnlyList<WrittenKey> WrittenKeys();
}
