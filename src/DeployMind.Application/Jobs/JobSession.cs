using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Source;

namespace DeployMind.Application.Jobs;

/// <summary>
/// What a front door that runs a job itself (the CLI's <c>deploy</c>) adds to it: live views, an explicit configuration
/// file, and where it can read the run's pipeline afterwards. A worker's jobs run with none of it.
/// </summary>
public sealed class JobSession
{
    /// <summary>A configuration file read instead of the app's deploymind.yml (the CLI's <c>--config</c>).</summary>
    public string? ConfigFile { get; init; }

    public IDeployObserver? DeployObserver { get; init; }

    public IProgress<BuildProgress>? BuildProgress { get; init; }

    public IPipelineObserver? PipelineObserver { get; init; }

    /// <summary>Told once the job's repository was fetched (exactly the commit it deploys).</summary>
    public Action<SourceCheckout>? Fetched { get; init; }

    /// <summary>The run's pipeline (scan, build, outcome) once a deploy ran; null for teardowns, rollbacks and refusals.</summary>
    public PipelineContext? Pipeline { get; internal set; }
}
