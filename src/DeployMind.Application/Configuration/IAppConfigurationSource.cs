namespace DeployMind.Application.Configuration;

/// <summary>
/// The port through which a deployment reads its app's configuration: the process's settings (machine, user, a server's
/// or worker's <c>--config</c>) with the app's own <c>deploymind.yml</c> above them, and <c>DEPLOYMIND__*</c> variables
/// above all. One process serves many apps, each job reading its own app's file through this port into a DI scope of
/// its own (<see cref="AppConfigurationScope"/>); nothing builds a second host.
/// </summary>
public interface IAppConfigurationSource
{
    /// <summary>The configuration the app in <paramref name="appPath"/> deploys with, and every problem found reading it.</summary>
    /// <param name="appPath">The app's folder: its <c>deploymind.yml</c> is read when present.</param>
    /// <param name="configFile">An explicit file read instead of the app's <c>deploymind.yml</c> (the CLI's <c>--config</c>); it must exist.</param>
    /// <exception cref="FileNotFoundException"><paramref name="configFile"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not valid YAML.</exception>
    LoadedAppConfiguration Load(string appPath, string? configFile);
}
