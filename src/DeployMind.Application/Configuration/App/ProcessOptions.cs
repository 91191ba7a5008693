namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>processes.&lt;name&gt;:</c> one process type of the app on Docker hosts (<c>web</c>, <c>worker</c>, …), from the same
/// image. Only <c>web</c> is behind nginx and checked over HTTP; the others are started with each release, must stay up
/// for <see cref="StayUp"/>, and replace the previous release's. A Procfile's lines are processes too; an entry here with
/// the same name overrides the Procfile's.
/// </summary>
public sealed class ProcessOptions
{
    /// <summary>
    /// The command, as a Procfile writes it (<c>node worker.js</c>); it replaces the image's CMD. Required for every process
    /// but <c>web</c> unless the Procfile names it; <c>web</c> runs the image's CMD when it is not set.
    /// </summary>
    public string? Command { get; set; }

    /// <summary>Containers of this process on each host (web: behind nginx, balanced); 0 turns a Procfile process off.</summary>
    public int? Replicas { get; set; }

    /// <summary>How long a new container of a process other than web must run without exiting or restarting before the release goes on (default 5s).</summary>
    public string? StayUp { get; set; }
}
