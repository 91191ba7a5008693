using System.Globalization;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.UnitTests.Deploy;

/// <summary>
/// Hand-written fakes of a host's ports, sharing one in-memory picture of the host: containers (with labels), the
/// router's current route (and every route applied), probes answering per port, and scripted traffic.
/// </summary>
internal sealed class FakeDeployHost : IContainerRuntime, ITrafficRouter, IHttpProbe, IPortAllocator
{
    private readonly Dictionary<string, FakeContainer> _containers = [];
    private int _nextPort = 30000;

    public FakeDeployHost(string name = "local")
    {
        Host = new DeployHost(name, this, this, this, this);
    }

    public DeployHost Host { get; }

    public RouteSpec? Route { get; private set; }

    public List<RouteSpec> Applied { get; } = [];

    /// <summary>Images whose containers never answer their health path.</summary>
    public HashSet<string> UnhealthyImages { get; } = [];

    /// <summary>Images whose <c>docker run</c> fails (e.g. the image is not on the host).</summary>
    public HashSet<string> UnrunnableImages { get; } = [];

    /// <summary>Images whose containers exit right after starting.</summary>
    public HashSet<string> CrashingImages { get; } = [];

    /// <summary>Process types (the <see cref="ContainerLabels.Process"/> label) whose containers exit right after starting.</summary>
    public HashSet<string> CrashingProcesses { get; } = [];

    /// <summary>Process types whose containers crash and are restarted by their policy (running, restart count 2).</summary>
    public HashSet<string> RestartingProcesses { get; } = [];

    /// <summary>Scripted per-window traffic: (route now, from, to) → figures by address.</summary>
    public Func<RouteSpec?, DateTimeOffset, DateTimeOffset, Dictionary<string, UpstreamStats>> Traffic { get; set; } = (_, _, _) => [];

    public IReadOnlyCollection<FakeContainer> Containers => _containers.Values;

    public FakeContainer Running(string image) => _containers.Values.Single(c => c.Running && c.Spec.Image == image);

    /// <summary>Puts a release on the host as a previous deploy would have left it: running and routed.</summary>
    public FakeContainer Seed(string app, string release, string image, DateTimeOffset startedAt, int listenPort = 8080)
    {
        var port = _nextPort++;
        var spec = new ContainerSpec($"{app}-{release}", image, port)
        {
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.App] = app,
                [ContainerLabels.Release] = release,
                [ContainerLabels.Port] = port.ToString(CultureInfo.InvariantCulture),
                [ContainerLabels.StartedAt] = startedAt.ToString("O", CultureInfo.InvariantCulture),
            },
        };
        var container = new FakeContainer(spec) { Running = true };
        _containers[spec.Name] = container;
        Route = new RouteSpec(app, listenPort, [new UpstreamServer($"127.0.0.1:{port}", 1, release)]);
        return container;
    }

    public Task<string> RunAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        if (UnrunnableImages.Contains(spec.Image))
        {
            throw new DeployMind.Domain.DeployMindException($"Could not start container {spec.Name} from {spec.Image}: no such image");
        }

        var process = spec.Labels.GetValueOrDefault(ContainerLabels.Process) ?? "web";
        _containers[spec.Name] = new FakeContainer(spec)
        {
            Running = !CrashingImages.Contains(spec.Image) && !CrashingProcesses.Contains(process),
            Restarts = RestartingProcesses.Contains(process) ? 2 : 0,
        };
        return Task.FromResult(spec.Name);
    }

    public Task StartAsync(string name, CancellationToken cancellationToken)
    {
        _containers[name].Running = true;
        return Task.CompletedTask;
    }

    public Task<ContainerState?> InspectAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.TryGetValue(name, out var c) ? c.State : null);

    public Task<IReadOnlyList<string>> LogsAsync(string name, int lines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(
            !_containers.TryGetValue(name, out var c) ? []
            : !c.Running ? ["panic: cannot start"]
            : FixedPorts.TryGetValue(c.Spec.Image, out var fixedPort) ? [$"listening on :{fixedPort}"]
            : []);

    public Task<int> ExecAsync(string name, IReadOnlyList<string> command, Action<string> line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        line(string.Join(' ', command));
        return Task.FromResult(_containers.TryGetValue(name, out var c) && c.Running ? 0 : 1);
    }

    public async Task FollowLogsAsync(string name, int lines, Action<string> line, CancellationToken cancellationToken)
    {
        foreach (var text in await LogsAsync(name, lines, cancellationToken))
        {
            line(text);
        }
    }

    public async Task StreamLogsAsync(string name, ContainerLogQuery query, Action<string> line, CancellationToken cancellationToken)
    {
        foreach (var text in await LogsAsync(name, query.Lines, cancellationToken))
        {
            line(text);
        }
    }

    /// <summary>Images whose apps ignore PORT and listen on this port instead (probes on their given port are refused).</summary>
    public Dictionary<string, int> FixedPorts { get; } = [];

    public Task<IReadOnlySet<int>?> ListeningPortsAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<int>?>(
            !_containers.TryGetValue(name, out var c) || !c.Running ? null
            : UnhealthyImages.Contains(c.Spec.Image) ? new HashSet<int>()
            : new HashSet<int> { FixedPorts.TryGetValue(c.Spec.Image, out var fixedPort) ? fixedPort : c.Spec.Port });

    /// <summary>The containers stopped, in order.</summary>
    public List<string> Stopped { get; } = [];

    /// <summary>The grace each stop gave its container after SIGTERM, by container.</summary>
    public Dictionary<string, TimeSpan> StopGraces { get; } = [];

    public Task StopAsync(string name, TimeSpan grace, CancellationToken cancellationToken)
    {
        Stopped.Add(name);
        StopGraces[name] = grace;
        _containers[name].Running = false;
        return Task.CompletedTask;
    }

    /// <summary>Containers whose removal throws this (the host's runner failing, e.g. a dropped SSH connection).</summary>
    public Dictionary<string, Exception> RemoveFailures { get; } = [];

    public Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        if (RemoveFailures.TryGetValue(name, out var failure))
        {
            throw failure;
        }

        _containers.Remove(name);
        return Task.CompletedTask;
    }

    /// <summary>How many times the app's containers were listed.</summary>
    public int Listings { get; private set; }

    /// <summary>Ports <see cref="AllocateAsync"/> picks first, in order (each when not in the set it is given), as a host whose free ports are these.</summary>
    public Queue<int> NextPorts { get; } = [];

    /// <summary>How many ports were picked.</summary>
    public int Allocations { get; private set; }

    /// <summary>When set, what a listing waits for before it answers (e.g. to see whether a port is picked meanwhile).</summary>
    public Task? ListingWaitsFor { get; set; }

    public async Task<IReadOnlyList<ContainerState>> ListAsync(string app, CancellationToken cancellationToken)
    {
        Listings++;
        if (ListingWaitsFor is not null)
        {
            await ListingWaitsFor.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }

        return [.. _containers.Values.Where(c => c.Spec.Labels.GetValueOrDefault(ContainerLabels.App) == app).Select(c => c.State)];
    }

    public Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) => Task.FromResult(!MissingImages.Contains(image));

    /// <summary>Images this host does not have (every other image is here, with id <c>sha256:</c> + its name after the last '/', so a registry's tag of an image has its id).</summary>
    public HashSet<string> MissingImages { get; } = [];

    /// <summary>What pulls, pushes and tags did, in order ("pull img as user@server").</summary>
    public List<string> ImageActions { get; } = [];

    /// <summary>The error a pull fails with; null: pulls succeed and the image is then here.</summary>
    public string? PullError { get; set; }

    /// <summary>The bytes <see cref="LoadImageAsync"/> received, unpacked (gzip) when they were compressed.</summary>
    public List<byte[]> Loaded { get; } = [];

    /// <summary>The image a load makes present.</summary>
    public string? LoadsImage { get; set; }

    public Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken) =>
        Task.FromResult(MissingImages.Contains(image) ? null : "sha256:" + image[(image.LastIndexOf('/') + 1)..]);

    public Task TagImageAsync(string source, string target, CancellationToken cancellationToken)
    {
        ImageActions.Add($"tag {source} {target}");
        MissingImages.Remove(target);
        return Task.CompletedTask;
    }

    public Task PullImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken)
    {
        ImageActions.Add($"pull {image}{(login is null ? string.Empty : " as " + login)}");
        if (PullError is { } error)
        {
            throw new Domain.DeployMindException(error);
        }

        MissingImages.Remove(image);
        return Task.CompletedTask;
    }

    public Task PushImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken)
    {
        ImageActions.Add($"push {image}{(login is null ? string.Empty : " as " + login)}");
        return Task.CompletedTask;
    }

    public async Task SaveImageAsync(string image, Stream destination, CancellationToken cancellationToken)
    {
        ImageActions.Add($"save {image}");
        await destination.WriteAsync(System.Text.Encoding.UTF8.GetBytes(new string('x', 100_000) + image), cancellationToken);
    }

    public async Task LoadImageAsync(Func<Stream, CancellationToken, Task> writeArchive, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        await writeArchive(received, cancellationToken);
        var bytes = received.ToArray();
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var unpacked = new MemoryStream();
            await using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress))
            {
                await gzip.CopyToAsync(unpacked, cancellationToken);
            }

            bytes = unpacked.ToArray();
        }

        Loaded.Add(bytes);
        ImageActions.Add($"load {bytes.Length} bytes");
        if (LoadsImage is { } image)
        {
            MissingImages.Remove(image);
        }
    }

    public List<string> RemovedImages { get; } = [];

    public Task<bool> ImageInUseAsync(string image, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.Values.Any(c => c.Spec.Image == image));

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken)
    {
        RemovedImages.Add(image);
        return Task.CompletedTask;
    }

    /// <summary>Interactive execs: container, command, -i, -t.</summary>
    public List<(string Name, IReadOnlyList<string> Command, bool Interactive, bool Tty)> InteractiveExecs { get; } = [];

    public Task<int> ExecInteractiveAsync(string name, IReadOnlyList<string> command, bool interactive, bool tty, CancellationToken cancellationToken)
    {
        InteractiveExecs.Add((name, command, interactive, tty));
        return Task.FromResult(0);
    }

    /// <summary>Named volumes that exist on the host.</summary>
    public HashSet<string> Volumes { get; } = [];

    public List<string> RemovedVolumes { get; } = [];

    public Task<IReadOnlyList<string>> VolumesOfAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(_containers.TryGetValue(name, out var c) ? [.. c.Spec.Volumes.Select(v => v.Split(':')[0]).Where(v => !v.StartsWith('/'))] : []);

    public Task<IReadOnlyList<string>> VolumeUsersAsync(string volume, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _containers.Values.Where(c => c.Spec.Volumes.Any(v => v.Split(':')[0] == volume)).Select(c => c.Spec.Name)]);

    public async Task<VolumeRemoval> RemoveVolumeAsync(string volume, CancellationToken cancellationToken)
    {
        var users = await VolumeUsersAsync(volume, cancellationToken);
        if (users.Count > 0)
        {
            return new VolumeRemoval(volume, VolumeRemovalOutcome.InUse, users);
        }

        RemovedVolumes.Add(volume);
        return new VolumeRemoval(volume, Volumes.Remove(volume) ? VolumeRemovalOutcome.Removed : VolumeRemovalOutcome.Missing, []);
    }

    public Task<IReadOnlyList<ContainerState>> ListByLabelAsync(string label, string value, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContainerState>>([.. _containers.Values.Where(c => c.Spec.Labels.GetValueOrDefault(label) == value).Select(c => c.State)]);

    public Task ApplyAsync(RouteSpec route, CancellationToken cancellationToken)
    {
        foreach (var server in route.Servers)
        {
            var port = int.Parse(server.Address.Split(':')[1], CultureInfo.InvariantCulture);
            if (!_containers.Values.Any(c => c.Spec.Port == port && c.Running))
            {
                throw new InvalidOperationException($"route to {server.Address}, where nothing runs");
            }
        }

        Route = route;
        Applied.Add(route);
        return Task.CompletedTask;
    }

    public Task<RouteSpec?> GetAsync(string app, CancellationToken cancellationToken) => Task.FromResult(Route);

    /// <summary>Whether the router says no worker of a replaced configuration is left (null: it cannot tell, as the default).</summary>
    public bool? Drained { get; set; }

    public Task<bool> DrainedAsync(CancellationToken cancellationToken) => Task.FromResult(Drained ?? false);

    Task ITrafficRouter.RemoveAsync(string app, CancellationToken cancellationToken)
    {
        Route = null;
        return Task.CompletedTask;
    }

    /// <summary>What every traffic window says it misses (see <see cref="TrafficWindow.Gaps"/>).</summary>
    public IReadOnlyList<string> TrafficGaps { get; set; } = [];

    public Task<TrafficWindow> ReadTrafficAsync(string app, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult(new TrafficWindow(from, to, Traffic(Route, from, to)) { Gaps = TrafficGaps });

    /// <summary>The host's ledger of verified releases (oldest first).</summary>
    public List<string> Verified { get; } = [];

    public Task RecordVerifiedAsync(string app, string releaseId, CancellationToken cancellationToken)
    {
        Verified.Remove(releaseId);
        Verified.Add(releaseId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> VerifiedAsync(string app, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([.. Verified]);

    /// <summary>Paths that answer 404 on every container of these images (a release missing a route).</summary>
    public Dictionary<string, string> BrokenPaths { get; } = [];

    /// <summary>Paths that answer 500 on every container of these images (a release whose page is broken, its health path fine).</summary>
    public Dictionary<string, string> FailingPaths { get; } = [];

    public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

    public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The router's listen port goes to the route's heaviest server, as nginx would send most requests.
        var port = url.Port;
        if (Route is { } route && port == route.ListenPort && route.Servers.Count > 0)
        {
            port = int.Parse(route.Servers.MaxBy(s => s.Weight)!.Address.Split(':')[1], CultureInfo.InvariantCulture);
        }

        var container = _containers.Values.FirstOrDefault(c => c.Spec.Port == port && c.Running);
        return Task.FromResult(
            container is null || FixedPorts.ContainsKey(container.Spec.Image) ? new ProbeResult(null, "connection refused") { Refused = true }
            : UnhealthyImages.Contains(container.Spec.Image) ? new ProbeResult(503, "status 503")
            : BrokenPaths.TryGetValue(container.Spec.Image, out var path) && path == url.AbsolutePath ? new ProbeResult(404, "status 404")
            : FailingPaths.TryGetValue(container.Spec.Image, out var failing) && failing == url.AbsolutePath ? new ProbeResult(500, "status 500")
            : new ProbeResult(200, null));
    }

    public Task<int> AllocateAsync(IReadOnlySet<int> taken, CancellationToken cancellationToken)
    {
        Allocations++;
        while (NextPorts.TryDequeue(out var next))
        {
            if (!taken.Contains(next))
            {
                return Task.FromResult(next);
            }
        }

        while (taken.Contains(_nextPort))
        {
            _nextPort++;
        }

        return Task.FromResult(_nextPort++);
    }

    internal sealed class FakeContainer(ContainerSpec spec)
    {
        public ContainerSpec Spec { get; } = spec;

        public bool Running { get; set; }

        public string Address => $"127.0.0.1:{Spec.Port}";

        public int Restarts { get; set; }

        public ContainerState State => new(Spec.Name, Spec.Image, Running, Running ? null : 1, Spec.Labels) { RestartCount = Restarts };
    }
}
