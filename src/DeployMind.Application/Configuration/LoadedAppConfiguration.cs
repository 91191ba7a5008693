using Microsoft.Extensions.Configuration;

namespace DeployMind.Application.Configuration;

/// <summary>
/// An app's configuration as read, with what is wrong in it: values that cannot be read (errors; they are set back to
/// their defaults in <see cref="Configuration"/>, so every other setting can still be checked) and keys no setting has
/// (warnings here; a deploy refuses them unless told to ignore them). Each problem says where it is written.
/// </summary>
/// <param name="Configuration">The settings the app deploys with.</param>
/// <param name="Locator">Where each setting is written (file:line:column, or the environment variable).</param>
/// <param name="Problems">Every problem found while reading, in the order of the files.</param>
public sealed record LoadedAppConfiguration(IConfiguration Configuration, IConfigurationLocator Locator, IReadOnlyList<ConfigurationProblem> Problems);
