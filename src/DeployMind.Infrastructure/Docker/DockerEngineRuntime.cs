using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// The local host's containers with the steps on a deploy's critical path (list, run, start, inspect, stop) asked of the
/// engine's API on its socket, as the docker CLI would ask them, without starting the CLI each time; everything else,
/// and any of those when the engine cannot be reached (the CLI then says why), through <paramref name="cli"/>.
/// The app's variables go in the request's body (never on a command line, and no env file on disk).
/// </summary>
/// <param name="cli">The CLI runtime of the same host, for the rest.</param>
/// <param name="engine">The engine the CLI reaches by default (<see cref="DockerEngine.LocalSocket"/>).</param>
/// <param name="hostName">The host's name, for messages ("local").</param>
internal sealed class DockerEngineRuntime(IContainerRuntime cli, DockerEngine engine, string hostName) : IContainerRuntime
{
    public async Task<string> RunAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var create = await engine.SendAsync(HttpMethod.Post, "containers/create?name=" + Uri.EscapeDataString(spec.Name), CreateBody(spec), cancellationToken);
        if (create is null || (create.Status == HttpStatusCode.NotFound && create.Message.StartsWith("No such image", StringComparison.Ordinal)))
        {
            // Not reachable, or the image is not here: docker run pulls it (with the CLI's progress and errors).
            return await cli.RunAsync(spec, cancellationToken);
        }

        if (!create.Succeeded)
        {
            throw new DeployMindException($"Could not start container {spec.Name} from {spec.Image} on {hostName}: {Redacted(create.Message, spec)}");
        }

        using var created = JsonDocument.Parse(create.Body);
        var id = created.RootElement.GetProperty("Id").GetString()!;
        var start = await engine.SendAsync(HttpMethod.Post, $"containers/{id}/start", null, cancellationToken);
        if (start is not { Succeeded: true })
        {
            // As docker run leaves it: created, not running; the caller removes what it started.
            throw new DeployMindException($"Could not start container {spec.Name} from {spec.Image} on {hostName}: {Redacted(start?.Message ?? "the Docker engine stopped answering", spec)}");
        }

        return id;
    }

    // The engine's words never carry a variable's value (they may be secrets), should it ever quote one.
    private static string Redacted(string message, ContainerSpec spec) =>
        spec.Environment.Values.Where(v => v.Length > 0).OrderByDescending(v => v.Length).Aggregate(message, (text, value) => text.Replace(value, "***", StringComparison.Ordinal));

    public async Task StartAsync(string name, CancellationToken cancellationToken)
    {
        var start = await engine.SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(name)}/start", null, cancellationToken);
        if (start is null)
        {
            await cli.StartAsync(name, cancellationToken);
            return;
        }

        // 304: it runs already (docker start says nothing either).
        if (!start.Succeeded && start.Status != HttpStatusCode.NotModified)
        {
            throw new DeployMindException($"Could not start container {name} again on {hostName}: {start.Message}");
        }
    }

    public async Task<ContainerState?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        var inspect = await engine.SendAsync(HttpMethod.Get, $"containers/{Uri.EscapeDataString(name)}/json", null, cancellationToken);
        if (inspect is null)
        {
            return await cli.InspectAsync(name, cancellationToken);
        }

        return inspect.Succeeded ? DockerContainerRuntime.ParseInspect("[" + inspect.Body + "]").SingleOrDefault() : null;
    }

    // As the CLI's: what docker stop says is not read (a container already stopped, or gone, is what was asked).
    public async Task StopAsync(string name, TimeSpan grace, CancellationToken cancellationToken)
    {
        var seconds = ((int)Math.Ceiling(grace.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        if (await engine.SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(name)}/stop?t={seconds}", null, cancellationToken) is null)
        {
            await cli.StopAsync(name, grace, cancellationToken);
        }
    }

    public Task<IReadOnlyList<ContainerState>> ListAsync(string app, CancellationToken cancellationToken) =>
        ListByLabelAsync(ContainerLabels.App, app, cancellationToken);

    public async Task<IReadOnlyList<ContainerState>> ListByLabelAsync(string label, string value, CancellationToken cancellationToken)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [$"{label}={value}"] });
        var list = await engine.SendAsync(HttpMethod.Get, "containers/json?all=1&filters=" + Uri.EscapeDataString(filters), null, cancellationToken);
        if (list is null)
        {
            return await cli.ListByLabelAsync(label, value, cancellationToken);
        }

        if (!list.Succeeded)
        {
            throw new DeployMindException($"Could not list the containers labelled {label}={value} on {hostName}: {list.Message}");
        }

        return DockerContainerRuntime.ParseListing(ListingLines(list.Body));
    }

    /// <summary>
    /// The body of <c>POST /containers/create</c> for <paramref name="spec"/>: what <see cref="DockerCommands.Run"/> gives
    /// the CLI, as the CLI sends it (PORT and HOST unless the app's variables set them; the restart policy, init, stop
    /// timeout, CPU and memory limits, volumes as <c>--volume</c> takes them).
    /// </summary>
    internal static JsonObject CreateBody(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var env = new JsonArray();
        foreach (var (name, value) in spec.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            env.Add($"{name}={value}");
        }

        foreach (var (name, value) in new[] { ("PORT", spec.Port.ToString(CultureInfo.InvariantCulture)), ("HOST", spec.BindAddress) })
        {
            // A process that serves nothing (a worker) gets no PORT.
            if (!spec.Environment.ContainsKey(name) && !(name == "PORT" && spec.Port <= 0))
            {
                env.Add($"{name}={value}");
            }
        }

        var labels = new JsonObject();
        foreach (var (name, value) in spec.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            labels[name] = value;
        }

        var binds = new JsonArray();
        var anonymous = new JsonObject();
        foreach (var volume in spec.Volumes)
        {
            // "name:/path[:ro]" and "/host:/path[:ro]" are binds as the CLI sends them; a lone "/path" is an anonymous volume.
            if (volume.Contains(':', StringComparison.Ordinal))
            {
                binds.Add(volume);
            }
            else
            {
                anonymous[volume] = new JsonObject();
            }
        }

        var host = new JsonObject
        {
            ["NetworkMode"] = "host",
            ["RestartPolicy"] = RestartPolicy(spec.Restart),
            ["Binds"] = binds,
        };
        if (spec.Init)
        {
            host["Init"] = true;
        }

        if (spec.Cpus is { } cpus)
        {
            host["NanoCpus"] = (long)(cpus * 1_000_000_000m);
        }

        if (spec.MemoryBytes is { } memory)
        {
            host["Memory"] = memory;
        }

        var body = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Env"] = env,
            ["Labels"] = labels,
            ["HostConfig"] = host,
        };
        if (spec.Command.Count > 0)
        {
            body["Cmd"] = new JsonArray([.. spec.Command.Select(c => JsonValue.Create(c))]);
        }

        if (anonymous.Count > 0)
        {
            body["Volumes"] = anonymous;
        }

        if (spec.StopTimeout is { } stopTimeout)
        {
            body["StopTimeout"] = (int)Math.Ceiling(stopTimeout.TotalSeconds);
        }

        return body;
    }

    // "on-failure:3" → {"Name": "on-failure", "MaximumRetryCount": 3}, as the CLI's --restart.
    private static JsonObject RestartPolicy(string restart)
    {
        var colon = restart.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return new JsonObject { ["Name"] = restart };
        }

        return int.TryParse(restart.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? new JsonObject { ["Name"] = restart[..colon], ["MaximumRetryCount"] = count }
            : throw new ArgumentException($"Restart policy '{restart}' is not name[:count].", nameof(restart));
    }

    /// <summary>
    /// <c>GET /containers/json</c>'s array as the lines of <see cref="DockerCommands.ListByLabel"/> (one JSON object per
    /// container, DeployMind's labels only, empty when absent), so one parser reads both.
    /// </summary>
    internal static string ListingLines(string json)
    {
        using var document = JsonDocument.Parse(json);
        var lines = new List<string>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            // Names are "/name" (a link's alias would be "/other/alias", which docker ps leaves out too).
            var name = item.GetProperty("Names").EnumerateArray().Select(n => n.GetString()?.TrimStart('/') ?? string.Empty).FirstOrDefault(n => !n.Contains('/', StringComparison.Ordinal)) ?? string.Empty;
            var labels = new JsonObject();
            var all = item.TryGetProperty("Labels", out var given) && given.ValueKind == JsonValueKind.Object ? given : default;
            foreach (var label in ContainerLabels.Listed)
            {
                labels[label] = all.ValueKind == JsonValueKind.Object && all.TryGetProperty(label, out var text) ? text.GetString() ?? string.Empty : string.Empty;
            }

            var line = new JsonObject
            {
                ["name"] = name,
                ["image"] = item.TryGetProperty("Image", out var image) ? image.GetString() : string.Empty,
                ["state"] = item.TryGetProperty("State", out var state) ? state.GetString() : string.Empty,
                ["status"] = item.TryGetProperty("Status", out var status) ? status.GetString() : string.Empty,
                ["labels"] = labels,
            };
            lines.Add(line.ToJsonString());
        }

        return string.Join('\n', lines);
    }

    // The rest goes through the CLI.
    public Task<IReadOnlySet<int>?> ListeningPortsAsync(string name, CancellationToken cancellationToken) => cli.ListeningPortsAsync(name, cancellationToken);

    public Task<IReadOnlyList<string>> LogsAsync(string name, int lines, CancellationToken cancellationToken) => cli.LogsAsync(name, lines, cancellationToken);

    public Task FollowLogsAsync(string name, int lines, Action<string> line, CancellationToken cancellationToken) => cli.FollowLogsAsync(name, lines, line, cancellationToken);

    public Task StreamLogsAsync(string name, ContainerLogQuery query, Action<string> line, CancellationToken cancellationToken) => cli.StreamLogsAsync(name, query, line, cancellationToken);

    public Task<int> ExecAsync(string name, IReadOnlyList<string> command, Action<string> line, CancellationToken cancellationToken) => cli.ExecAsync(name, command, line, cancellationToken);

    public Task RemoveAsync(string name, CancellationToken cancellationToken) => cli.RemoveAsync(name, cancellationToken);

    public Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) => cli.ImageExistsAsync(image, cancellationToken);

    public Task<bool> ImageInUseAsync(string image, CancellationToken cancellationToken) => cli.ImageInUseAsync(image, cancellationToken);

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) => cli.RemoveImageAsync(image, cancellationToken);

    public Task<int> ExecInteractiveAsync(string name, IReadOnlyList<string> command, bool interactive, bool tty, CancellationToken cancellationToken) =>
        cli.ExecInteractiveAsync(name, command, interactive, tty, cancellationToken);

    public Task<IReadOnlyList<string>> VolumesOfAsync(string name, CancellationToken cancellationToken) => cli.VolumesOfAsync(name, cancellationToken);

    public Task<IReadOnlyList<string>> VolumeUsersAsync(string volume, CancellationToken cancellationToken) => cli.VolumeUsersAsync(volume, cancellationToken);

    public Task<VolumeRemoval> RemoveVolumeAsync(string volume, CancellationToken cancellationToken) => cli.RemoveVolumeAsync(volume, cancellationToken);

    public Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken) => cli.ImageIdAsync(image, cancellationToken);

    public Task TagImageAsync(string source, string target, CancellationToken cancellationToken) => cli.TagImageAsync(source, target, cancellationToken);

    public Task PullImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken) => cli.PullImageAsync(image, login, cancellationToken);

    public Task PushImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken) => cli.PushImageAsync(image, login, cancellationToken);

    public Task SaveImageAsync(string image, Stream destination, CancellationToken cancellationToken) => cli.SaveImageAsync(image, destination, cancellationToken);

    public Task LoadImageAsync(Func<Stream, CancellationToken, Task> writeArchive, CancellationToken cancellationToken) => cli.LoadImageAsync(writeArchive, cancellationToken);
}
