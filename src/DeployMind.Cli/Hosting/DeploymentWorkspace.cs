using DeployMind.Application.Deploy;
using DeployMind.Application.Source;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeployMind.Cli.Hosting;

/// <summary>
/// What one deployment works in: its source (a folder, or exactly one commit of a repository fetched into a temporary
/// folder) and the service host configured by the app's own deploymind.yml. Shared by <c>deploy</c> and the worker.
/// </summary>
internal sealed class DeploymentWorkspace : IDisposable
{
    private DeploymentWorkspace(SourceCheckout? checkout, string appPath, IHost host)
    {
        Checkout = checkout;
        AppPath = appPath;
        Host = host;
        Deploys = host.Services.GetRequiredService<DeployService>();
        App = Deploys.AppName(appPath, checkout?.Name);
    }

    /// <summary>The fetched commit, when the source is a repository.</summary>
    public SourceCheckout? Checkout { get; }

    /// <summary>The app's folder.</summary>
    public string AppPath { get; }

    /// <summary>Services configured with the app's deploymind.yml.</summary>
    public IHost Host { get; }

    public DeployService Deploys { get; }

    /// <summary>The app's name: deploymind.yml's <c>app</c>, else the repository's or the folder's name.</summary>
    public string App { get; }

    /// <summary>Fetches the source (when <paramref name="repository"/> is given) and creates the host for the app in <paramref name="path"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The repository has no such folder.</exception>
    public static async Task<DeploymentWorkspace> OpenAsync(
        CliHostFactory hosts, string? repository, string gitRef, string path, string? config, bool verbose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        if (repository is null)
        {
            return new DeploymentWorkspace(null, path, hosts.Create(path, config, verbose));
        }

        // The repository is fetched first (exactly the commit asked for): its deploymind.yml configures the rest.
        SourceCheckout checkout;
        using (var bootstrap = hosts.Create(null, config, verbose))
        {
            checkout = await bootstrap.Services.GetRequiredService<ISourceProvider>().FetchAsync(new SourceSpec(repository, gitRef), cancellationToken);
        }

        var appPath = Path.GetFullPath(Path.Combine(checkout.Path, path));
        if (!Directory.Exists(appPath))
        {
            checkout.Dispose();
            throw new DirectoryNotFoundException($"The repository {repository} at {checkout.ShortCommit} has no folder '{path}'.");
        }

        try
        {
            return new DeploymentWorkspace(checkout, appPath, hosts.Create(appPath, config, verbose));
        }
        catch
        {
            checkout.Dispose();
            throw;
        }
    }

    /// <summary>The command with what only the workspace knows: the folder, the app's name, and a commit's image tag.</summary>
    public Application.Deploy.DeployCommand Complete(Application.Deploy.DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command with
        {
            AppPath = AppPath,
            App = Checkout?.Name,
            Tag = command.Tag ?? (Checkout is null ? null : $"{App}:{Checkout.ShortCommit}"),
        };
    }

    /// <summary>A new deployment of the workspace's app (queued), triggered from this command line.</summary>
    public Deployment NewDeployment(Application.Deploy.DeployCommand command, string? repository, string gitRef, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new Deployment(Guid.NewGuid(), App, command.Environment, Deploys.StrategyOf(command), $"cli:{Environment.UserName}", now)
        {
            Repository = repository,
            Branch = Checkout is null ? null : gitRef,
            Commit = Checkout?.Commit,
        };
    }

    public void Dispose()
    {
        Host.Dispose();
        Checkout?.Dispose();
    }
}
