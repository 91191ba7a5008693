using System.Reflection;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Source;
using DeployMind.Application.Pipeline;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Jobs;

/// <summary>
/// What one job works in: its source (a folder, or exactly one commit of a repository fetched into a temporary folder)
/// and a DI scope whose app settings are the app's own configuration (<see cref="IAppConfigurationSource"/>). The
/// process's singletons (records, queue, locks, reporter) are shared; nothing else is built per job.
/// </summary>
internal sealed class JobWorkspace : IDisposable
{
    private JobWorkspace(SourceCheckout? checkout, string appPath, IServiceScope scope, LoadedAppConfiguration configuration)
    {
        Checkout = checkout;
        AppPath = appPath;
        Scope = scope;
        Configuration = configuration;
        Deploys = scope.ServiceProvider.GetRequiredService<DeployService>();
        App = Deploys.AppName(appPath, checkout?.Name);
    }

    /// <summary>The fetched commit, when the source is a repository.</summary>
    public SourceCheckout? Checkout { get; }

    /// <summary>The app's folder.</summary>
    public string AppPath { get; }

    /// <summary>The job's services, configured with the app's deploymind.yml.</summary>
    public IServiceScope Scope { get; }

    public IServiceProvider Services => Scope.ServiceProvider;

    public DeployService Deploys { get; }

    /// <summary>The app's name: deploymind.yml's <c>app</c>, else the repository's or the folder's name.</summary>
    public string App { get; }

    /// <summary>The app's configuration as read, with the problems found reading it.</summary>
    public LoadedAppConfiguration Configuration { get; }

    /// <summary>
    /// Every problem of the app's configuration for <paramref name="command"/> at once, as <c>validate</c> finds them: values
    /// that cannot be read, keys no setting has (errors unless <paramref name="allowUnknownKeys"/>, then warnings), each app
    /// section's own checks and the environment's (strategy, port, hosts, health check, canary, durations, scan policy).
    /// </summary>
    public IReadOnlyList<ConfigurationProblem> Problems(DeployCommand command, bool allowUnknownKeys)
    {
        ArgumentNullException.ThrowIfNull(command);
        var locator = Configuration.Locator;
        var problems = Configuration.Problems.Select(p => p.IsWarning && !allowUnknownKeys ? ConfigurationChecker.Refused(p) : p).ToList();
        foreach (var section in Services.GetServices<BoundSection>().Where(s => s.PerApp))
        {
            try
            {
                _ = typeof(IOptions<>).MakeGenericType(section.OptionsType).GetProperty(nameof(IOptions<object>.Value))!.GetValue(Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(section.OptionsType)));
            }
            catch (TargetInvocationException ex) when (ex.InnerException is OptionsValidationException failed)
            {
                problems.AddRange(failed.Failures.Select(f => ConfigurationProblem.Of(locator, f)));
            }
        }

        var pipeline = Services.GetRequiredService<IOptions<PipelineOptions>>().Value;
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            try
            {
                pipeline.DeadlineOf(stage);
            }
            catch (InvalidInputException ex)
            {
                problems.Add(ConfigurationProblem.Of(locator, ex.Message));
            }
        }

        problems.AddRange(Deploys.Problems(command).Select(p => ConfigurationProblem.Of(locator, p)));

        // The accessories a deploy would boot: a missing image or a bad port is said now, not after the build.
        problems.AddRange(Services.GetRequiredService<Accessories>().Problems(command, App).Select(p => ConfigurationProblem.Of(locator, p)));

        // A value that could not be read was checked at its default, so only its own error names it.
        return [.. problems.DistinctBy(p => p.ToString())];
    }

    /// <summary>Fetches the source (when the job names a repository) and opens the app's scope.</summary>
    /// <exception cref="DirectoryNotFoundException">The repository has no such folder.</exception>
    public static async Task<JobWorkspace> OpenAsync(
        IServiceScopeFactory scopes, IAppConfigurationSource configurations, ISourceProvider sources, DeployJob job, JobSession? session, CancellationToken cancellationToken)
    {
        SourceCheckout? checkout = null;
        var appPath = job.Path;
        if (job.Repository is { } repository)
        {
            // Exactly the commit asked for: its deploymind.yml configures the rest.
            checkout = await sources.FetchAsync(new SourceSpec(repository, job.Ref ?? "main"), cancellationToken);
            appPath = Path.GetFullPath(Path.Combine(checkout.Path, job.Path));
            if (!Directory.Exists(appPath))
            {
                checkout.Dispose();
                throw new DirectoryNotFoundException($"The repository {repository} at {checkout.ShortCommit} has no folder '{job.Path}'.");
            }

            session?.Fetched?.Invoke(checkout);
        }

        IServiceScope? scope = null;
        try
        {
            var configuration = configurations.Load(appPath, session?.ConfigFile);
            scope = scopes.CreateScope();
            scope.ServiceProvider.GetRequiredService<AppConfigurationScope>().Use(configuration.Configuration);
            return new JobWorkspace(checkout, appPath, scope, configuration);
        }
        catch
        {
            scope?.Dispose();
            checkout?.Dispose();
            throw;
        }
    }

    /// <summary>The command with what only the workspace knows: the folder, the app's name, and a commit's image tag.</summary>
    public DeployCommand Complete(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command with
        {
            AppPath = AppPath,
            App = Checkout?.Name,
            Tag = command.Tag ?? (Checkout is null ? null : $"{App}:{Checkout.ShortCommit}"),
        };
    }

    public void Dispose()
    {
        Scope.Dispose();
        Checkout?.Dispose();
    }
}
