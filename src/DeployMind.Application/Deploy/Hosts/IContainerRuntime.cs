namespace DeployMind.Application.Deploy.Hosts;

/// <summary>The containers and images on one host (Docker through a command runner: local, SSH, SSM).</summary>
public interface IContainerRuntime
{
    /// <summary>Starts a container (detached) and returns its id.</summary>
    Task<string> RunAsync(ContainerSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts a stopped container again, with the environment, port and labels it was created with.</summary>
    Task StartAsync(string name, CancellationToken cancellationToken);

    /// <summary>The container's state, or null when there is no such container.</summary>
    Task<ContainerState?> InspectAsync(string name, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="lines"/> lines of the container's output (stdout and stderr).</summary>
    Task<IReadOnlyList<string>> LogsAsync(string name, int lines, CancellationToken cancellationToken);

    /// <summary>
    /// The TCP ports the container's own processes listen on, whatever the address (found from the host: the
    /// container's processes matched against the host's listening sockets); empty when they listen on none, or when the
    /// host does not say which process owns a socket (<c>ss</c> shows that to root only). Null when there is no such
    /// running container or the host cannot list its sockets.
    /// </summary>
    Task<IReadOnlySet<int>?> ListeningPortsAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// The last <paramref name="lines"/> lines of the container's output, then every new line as it is written, to
    /// <paramref name="line"/>, until the container stops or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task FollowLogsAsync(string name, int lines, Action<string> line, CancellationToken cancellationToken);

    /// <summary>
    /// The container's output as <paramref name="query"/> asks (the last lines, since a time, then following), each line to
    /// <paramref name="line"/>; following ends when the container stops or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task StreamLogsAsync(string name, ContainerLogQuery query, Action<string> line, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="command"/> in the running container (no terminal), each output line to <paramref name="line"/>; its exit code.</summary>
    Task<int> ExecAsync(string name, IReadOnlyList<string> command, Action<string> line, CancellationToken cancellationToken);

    /// <summary>Stops a container, giving it <paramref name="grace"/> to finish after SIGTERM.</summary>
    Task StopAsync(string name, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Removes a container (stopping it first); no error when it does not exist.</summary>
    Task RemoveAsync(string name, CancellationToken cancellationToken);

    /// <summary>The containers DeployMind started for <paramref name="app"/> on this host, from their labels.</summary>
    Task<IReadOnlyList<ContainerState>> ListAsync(string app, CancellationToken cancellationToken);

    /// <summary>Whether the image is present on this host.</summary>
    Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken);

    /// <summary>
    /// Whether any container on the host (running or stopped, of any app) was created from the image (by this reference
    /// or another tag of the same image); true when the host cannot say.
    /// </summary>
    Task<bool> ImageInUseAsync(string image, CancellationToken cancellationToken);

    /// <summary>Removes an image; no error when it does not exist or is still used.</summary>
    Task RemoveImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> in the running container attached to this process's own standard input, output and
    /// error (the user's terminal): with <paramref name="interactive"/> its input stays open, with <paramref name="tty"/> it
    /// gets a terminal (<c>docker exec -i -t</c>; on an SSH host the connection gets one too). Its exit code.
    /// </summary>
    Task<int> ExecInteractiveAsync(string name, IReadOnlyList<string> command, bool interactive, bool tty, CancellationToken cancellationToken);

    /// <summary>The named volumes the container mounts (bind mounts of host folders left out); empty when there is no such container.</summary>
    Task<IReadOnlyList<string>> VolumesOfAsync(string name, CancellationToken cancellationToken);

    /// <summary>The containers (running or stopped, of any app) that mount the named volume.</summary>
    Task<IReadOnlyList<string>> VolumeUsersAsync(string volume, CancellationToken cancellationToken);

    /// <summary>Removes a named volume unless a container still mounts it (then it stays, and the result names them).</summary>
    Task<VolumeRemoval> RemoveVolumeAsync(string volume, CancellationToken cancellationToken);

    /// <summary>
    /// The containers on this host labelled <paramref name="label"/>=<paramref name="value"/> (running or stopped), from one
    /// listing: their labels are DeployMind's own (<see cref="ContainerLabels.Listed"/>), and their
    /// <see cref="ContainerState.RestartCount"/> is not read (0); <see cref="InspectAsync"/> reads one container whole.
    /// </summary>
    Task<IReadOnlyList<ContainerState>> ListByLabelAsync(string label, string value, CancellationToken cancellationToken);

    /// <summary>The image's id (<c>sha256:…</c>) on this host, or null when the host does not have it.</summary>
    Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken);

    /// <summary>Gives the image another name on this host (<c>docker tag</c>).</summary>
    Task TagImageAsync(string source, string target, CancellationToken cancellationToken);

    /// <summary>
    /// Pulls the image from its registry, logged in with <paramref name="login"/> when given (for this pull only: the
    /// credentials are not left on the host). Throws <see cref="Domain.DeployMindException"/> with the host's own error.
    /// </summary>
    Task PullImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken);

    /// <summary>Pushes the image to its registry, logged in with <paramref name="login"/> when given (for this push only).</summary>
    Task PushImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken);

    /// <summary>Writes the image as <c>docker save</c> makes it (a tar archive, its tags included) to <paramref name="destination"/>.</summary>
    /// <exception cref="Domain.DeployMindException">The host cannot hand an archive out (it is reached through a runner that returns text only).</exception>
    Task SaveImageAsync(string image, Stream destination, CancellationToken cancellationToken);

    /// <summary>
    /// Loads an image archive (<c>docker load</c>; tar, plain or gzip-compressed) that <paramref name="writeArchive"/> writes as
    /// it is produced. Throws <see cref="Domain.DeployMindException"/> with the host's own error, or when the host cannot take a
    /// stream (an SSM host: use a registry).
    /// </summary>
    Task LoadImageAsync(Func<Stream, CancellationToken, Task> writeArchive, CancellationToken cancellationToken);
}

/// <summary>Credentials for one registry, for one pull or push. The password is a secret: never logged, never on a command line.</summary>
/// <param name="Server">The registry's host[:port] as <c>docker login</c> takes it.</param>
/// <param name="Username">The user (<c>AWS</c> for Amazon ECR).</param>
/// <param name="Password">The password or token.</param>
public sealed record RegistryLogin(string Server, string Username, string Password)
{
    /// <summary>Never the password.</summary>
    public override string ToString() => $"{Username}@{Server}";
}

/// <summary>A container to start. It runs on the host network, gets its port in PORT and the address to bind in HOST.</summary>
/// <param name="Name">Container name (unique on the host).</param>
/// <param name="Image">Image reference.</param>
/// <param name="Port">The port the app listens on; 0 for a process that serves nothing (a worker: no PORT is set).</param>
public sealed record ContainerSpec(string Name, string Image, int Port)
{
    /// <summary>The address the app binds (HOST); 127.0.0.1 keeps it behind the router.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>More environment variables; their values are treated as secrets in logs.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels that make what runs on the host discoverable there (see <see cref="ContainerLabels"/>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Arguments after the image (the image's CMD is replaced); empty to keep it.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Run an init process as PID 1 (<c>--init</c>), so SIGTERM reaches the app; off unless asked (releases: <see cref="ContainerSettings"/>).</summary>
    public bool Init { get; init; }

    /// <summary>The container's own stop timeout (<c>--stop-timeout</c>, whole seconds); null: docker's default.</summary>
    public TimeSpan? StopTimeout { get; init; }

    /// <summary>The restart policy (<c>--restart</c>): unless-stopped, always, on-failure[:N] or no.</summary>
    public string Restart { get; init; } = "unless-stopped";

    /// <summary>CPU limit in cores (<c>--cpus</c>); null: none.</summary>
    public decimal? Cpus { get; init; }

    /// <summary>Memory limit in bytes (<c>--memory</c>); null: none.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Named volumes and bind mounts as <c>--volume</c> takes them (checked by <see cref="ContainerSettings.ParseVolumes"/>).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>A copy that runs <paramref name="command"/> instead of the image's CMD.</summary>
    public ContainerSpec WithCommand(params string[] command) => this with { Command = command };
}

/// <summary>Which of a container's output to read.</summary>
/// <param name="Lines">At most the last this many lines (before following).</param>
/// <param name="Since">Only lines written since then; null: no limit.</param>
/// <param name="Follow">Then every new line until the container stops or the reader is cancelled.</param>
public sealed record ContainerLogQuery(int Lines, DateTimeOffset? Since, bool Follow);

/// <summary>A container as the host reports it.</summary>
public sealed record ContainerState(string Name, string Image, bool Running, int? ExitCode, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>How often its restart policy has restarted it since it was started.</summary>
    public int RestartCount { get; init; }

    public string? Label(string key) => Labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>Its process type (<see cref="ContainerLabels.Process"/>); web for containers from before process types.</summary>
    public string Process => Label(ContainerLabels.Process) ?? ReleaseProcesses.Web;
}

/// <summary>The labels DeployMind puts on containers, so status and rollback work from the host alone.</summary>
public static class ContainerLabels
{
    public const string App = "io.deploymind.app";
    public const string Release = "io.deploymind.release";
    public const string Commit = "io.deploymind.commit";
    public const string Colour = "io.deploymind.colour";
    public const string Port = "io.deploymind.port";
    public const string StartedAt = "io.deploymind.started-at";

    /// <summary>The process type: web (behind nginx) or another (worker, …).</summary>
    public const string Process = "io.deploymind.process";

    /// <summary>The replica number within its process type on the host, from 1.</summary>
    public const string Replica = "io.deploymind.replica";

    /// <summary>
    /// The image reference the container was created from, as given. A listing's own image column shows the image's id
    /// instead once the tag points elsewhere; this label does not change.
    /// </summary>
    public const string Image = "io.deploymind.image";

    /// <summary>The app (preview instance) an accessory container belongs to.</summary>
    public const string AccessoryOf = "io.deploymind.accessory-of";

    /// <summary>Every label DeployMind sets and reads back: what a listing of containers reports.</summary>
    public static readonly IReadOnlyList<string> Listed = [App, Release, Commit, Colour, Port, StartedAt, Process, Replica, Image, AccessoryOf];
}
