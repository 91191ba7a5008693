using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Secrets;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Deploy;

/// <summary>
/// The variables a new release container of the app starts with on Docker hosts: the app's <c>env</c> of the environment
/// (<see cref="AppEnvironment"/>; secrets resolved by <see cref="SecretResolver"/>) and its accessories' addresses
/// (unless its own <c>env</c> says otherwise). One path for both callers: a deploy (its deploy stage, once, before any host
/// changes) and a rollback whose release must start in a new container because its kept one is gone (resolved only then,
/// from the app's configuration at rollback time, before any host changes).
/// </summary>
public sealed class ReleaseVariables
{
    private readonly AppOptions _app;
    private readonly SecretResolver _secrets;
    private readonly Accessories _accessories;
    private readonly DeployService _deploys;

    public ReleaseVariables(IOptions<AppOptions> app, SecretResolver secrets, Accessories accessories, DeployService deploys)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app.Value;
        _secrets = secrets;
        _accessories = accessories;
        _deploys = deploys;
    }

    /// <summary>
    /// The variables for the command's app: its <c>env</c>, secrets resolved (on Kubernetes too, where the secret ones go in
    /// the release's Secret); on Docker hosts with the accessories' addresses (<see cref="Accessories.ForDeployAsync"/>: a
    /// preview's own instances). <paramref name="boot"/>, when given, runs for each accessory before its address is added
    /// (a deploy boots them; a rollback only needs their addresses).
    /// </summary>
    /// <exception cref="MissingSecretException">A secret is in no source: the message names it and every place it was looked for.</exception>
    /// <exception cref="Domain.InvalidInputException">A setting of <c>env</c>, <c>secrets</c> or <c>accessories</c> is invalid; the message names its key.</exception>
    public async Task<IReadOnlyDictionary<string, string>> ResolveAsync(
        DeployCommand command, string appPath, Func<Accessory, CancellationToken, Task>? boot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var environment = AppEnvironment.Of(_app, command.Environment, appPath);
        var variables = environment.IsEmpty ? new Dictionary<string, string>() : new Dictionary<string, string>(await _secrets.ResolveAsync(environment, cancellationToken));
        if (_deploys.TargetKindOf(command) == Targets.DeployTargetKind.Docker && _app.Accessories.Count > 0)
        {
            var accessories = await _accessories.ForDeployAsync(command, _deploys.InstanceName(command, appPath), cancellationToken);
            if (boot is not null)
            {
                foreach (var accessory in accessories)
                {
                    await boot(accessory, cancellationToken);
                }
            }

            // The app is told where they are, unless its own env says otherwise.
            foreach (var (name, value) in Accessories.Addresses(accessories))
            {
                variables.TryAdd(name, value);
            }
        }

        return variables;
    }

    /// <summary>
    /// What a rollback of the command's app gives <see cref="DeployRequest.FreshVariables"/>: the variables, resolved from
    /// the configuration only when called (when a release must start in a new container), without booting accessories.
    /// </summary>
    public Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>> ForRollback(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var appPath = Path.GetFullPath(command.AppPath);
        return cancellationToken => ResolveAsync(command, appPath, null, cancellationToken);
    }
}
