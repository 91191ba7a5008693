using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Hosting;

/// <summary>
/// The worker's <see cref="IJobRunner"/>: each job gets its own workspace (the commit fetched, the app's deploymind.yml
/// read) and runs the recorded deployment through the same pipeline as <c>deploy</c>. Every state change is fenced with
/// the job's lock tokens: a newer holder of a target stops this run before its next step.
/// </summary>
internal sealed class CliJobRunner : IJobRunner
{
    private readonly CliHostFactory _hosts;
    private readonly string? _config;
    private readonly bool _verbose;

    public CliJobRunner(CliHostFactory hosts, string? config, bool verbose)
    {
        _hosts = hosts;
        _config = config;
        _verbose = verbose;
    }

    public async Task<Deployment> RunAsync(DeployJob job, JobControl control, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(control);
        DeploymentWorkspace workspace;
        try
        {
            workspace = await DeploymentWorkspace.OpenAsync(_hosts, job.Repository, job.Ref ?? "main", job.Path, _config, _verbose, cancellationToken);
        }
        catch (Exception ex) when (ex is DeployMindException or DirectoryNotFoundException or FileNotFoundException or InvalidDataException)
        {
            // The source or its configuration is unusable: the deployment fails (recorded), nothing is retried.
            return await FailAsync(job, $"could not prepare the source: {ex.Message}", cancellationToken);
        }

        using (workspace)
        {
            var services = workspace.Host.Services;
            var store = services.GetRequiredService<IDeploymentStore>();
            var deployment = await store.GetAsync(job.Id, cancellationToken)
                ?? throw new DeployMindException($"Deployment {job.Id} is not recorded in {store.Description}; is `database` configured the same for the worker and for whoever enqueued the job?");
            if (workspace.Checkout is { } checkout && deployment.Commit != checkout.Commit)
            {
                deployment.RecordCommit(checkout.Commit);
            }

            var command = workspace.Complete(new Application.Deploy.DeployCommand(job.Path)
            {
                Environment = job.Environment,
                Strategy = job.Strategy is null ? null : EnvironmentOptions.ParseStrategy(job.Strategy, "strategy"),
                Host = job.Host,
                Port = job.Port,
                Tag = job.Tag,
                NoCache = job.NoCache,
                AllowFindings = job.AllowFindings,
            });
            using var fenced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await services.GetRequiredService<DeploymentRunner>().RunAsync(
                new DeploymentRunner.Run(deployment, workspace.AppPath)
                {
                    Command = command,
                    AlreadyRecorded = true,
                    PipelineObserver = new Fence(control, fenced),
                    HandOverReason = () => control.HandOverReason,
                },
                fenced.Token);
            return deployment;
        }
    }

    private async Task<Deployment> FailAsync(DeployJob job, string reason, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, _config, _verbose);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var deployment = await store.GetAsync(job.Id, cancellationToken)
            ?? throw new DeployMindException($"Deployment {job.Id} is not recorded in {store.Description}.");
        deployment.Fail(PipelineStage.Scan, reason, time.GetUtcNow());
        await store.SaveAsync(deployment, cancellationToken);
        return deployment;
    }

    /// <summary>Before each state change is acted on: still the newest holder of every target? Else stop the run.</summary>
    private sealed class Fence(JobControl control, CancellationTokenSource stop) : IPipelineObserver
    {
        public async Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            if (!deployment.IsFinished && deployment.State != DeploymentState.Queued && !await control.FenceAsync(CancellationToken.None))
            {
                control.HandOver("a newer holder of a target exists (fencing token refused)");
                await stop.CancelAsync();
            }
        }
    }
}
