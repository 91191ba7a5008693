using System.Globalization;
using System.Text.Json;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Docker;

/// <summary>Docker containers and images on one host, through that host's command runner (local, SSH, SSM).</summary>
internal sealed partial class DockerContainerRuntime : IContainerRuntime
{
    private readonly ICommandRunner _runner;

    public DockerContainerRuntime(ICommandRunner runner)
    {
        _runner = runner;
    }

    public async Task<string> RunAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // The app's variables reach docker in a 0600 file on the host (removed with the container), never on a command
        // line; it is written by the same host command that runs docker.
        var command = spec.Environment.Count > 0 ? DockerCommands.RunWithEnvFile(spec) : DockerCommands.Run(spec);
        var result = await _runner.RunAsync(command, null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException(spec.Environment.Count > 0 && result.ExitCode == DockerCommands.EnvFileNotWritten
                ? $"Could not write the env file of {spec.Name} on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}"
                : $"Could not start container {spec.Name} from {spec.Image} on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}");
        }

        return result.StandardOutput.Trim();
    }

    public async Task StartAsync(string name, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.Start(name), null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException($"Could not start container {name} again on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}");
        }
    }

    public async Task<ContainerState?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        var states = await InspectManyAsync([name], cancellationToken);
        return states.Count == 0 ? null : states[0];
    }

    public async Task<IReadOnlyList<string>> LogsAsync(string name, int lines, CancellationToken cancellationToken)
    {
        var output = new List<string>();
        var result = await _runner.RunAsync(DockerCommands.Logs(name, lines), line => output.Add(AnsiText.Strip(line.Text)), cancellationToken);
        return result.Succeeded ? output : [];
    }

    public async Task FollowLogsAsync(string name, int lines, Action<string> line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            await _runner.RunAsync(DockerCommands.FollowLogs(name, lines), output => line(AnsiText.Strip(output.Text)), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Following ends when asked to.
        }
    }

    public async Task StreamLogsAsync(string name, ContainerLogQuery query, Action<string> line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            await _runner.RunAsync(DockerCommands.Logs(name, query), output => line(AnsiText.Strip(output.Text)), cancellationToken);
        }
        catch (OperationCanceledException) when (query.Follow && cancellationToken.IsCancellationRequested)
        {
            // Following ends when asked to.
        }
    }

    public async Task<int> ExecAsync(string name, IReadOnlyList<string> command, Action<string> line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var result = await _runner.RunAsync(DockerCommands.Exec(name, command), output => line(output.Text), cancellationToken);
        return result.ExitCode;
    }

    public async Task StopAsync(string name, TimeSpan grace, CancellationToken cancellationToken) =>
        await _runner.RunAsync(DockerCommands.Stop(name, grace), null, cancellationToken);

    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await _runner.RunAsync(DockerCommands.Remove(name), null, cancellationToken);

        // The release's env file goes with its container.
        await _runner.RunAsync(DockerCommands.RemoveEnvFile(name), null, cancellationToken);
    }

    public Task<IReadOnlyList<ContainerState>> ListAsync(string app, CancellationToken cancellationToken) =>
        ListByLabelAsync(ContainerLabels.App, app, cancellationToken);

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) =>
        (await _runner.RunAsync(DockerCommands.ImageId(image), null, cancellationToken)).Succeeded;

    public async Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.ImageId(image), null, cancellationToken);
        return result.Succeeded && result.StandardOutput.Trim() is { Length: > 0 } id ? id : null;
    }

    public async Task TagImageAsync(string source, string target, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.Tag(source, target), null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException($"Could not tag {source} as {target} on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}");
        }
    }

    public Task PullImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken) =>
        TransferAsync("pull", image, login, cancellationToken);

    public Task PushImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken) =>
        TransferAsync("push", image, login, cancellationToken);

    public async Task SaveImageAsync(string image, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_runner is not IStreamingCommandRunner streaming)
        {
            throw new DeployMindException($"{_runner.Name} cannot hand out an image archive; deliver images from a registry (build.registry).");
        }

        CommandResult result;
        try
        {
            result = await streaming.RunStreamingAsync(DockerCommands.Save(image), null, (output, token) => output.CopyToAsync(destination, token), cancellationToken);
        }
        catch (NotSupportedException ex)
        {
            throw new DeployMindException($"{_runner.Name} cannot hand out an image archive ({ex.Message}); deliver images from a registry (build.registry).", ex);
        }

        if (!result.Succeeded)
        {
            throw new DeployMindException($"Could not save {image} on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}");
        }
    }

    public async Task LoadImageAsync(Func<Stream, CancellationToken, Task> writeArchive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeArchive);
        if (_runner is not IStreamingCommandRunner streaming)
        {
            throw new DeployMindException(
                $"{_runner.Name} cannot take an image as a stream (its commands carry no input); give the environment a registry (build.registry) its hosts pull from.");
        }

        var result = await streaming.RunStreamingAsync(DockerCommands.Load(), writeArchive, null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException($"docker load failed on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}");
        }
    }

    private async Task TransferAsync(string verb, string image, RegistryLogin? login, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.Transfer(verb, image, login), null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException($"docker {verb} {image} failed on {_runner.Name}: {CommandFailedException.Tail(result.StandardError, 5)}");
        }
    }

    public async Task<bool> ImageInUseAsync(string image, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.ContainersOf(image), null, cancellationToken);
        return !result.Succeeded || !string.IsNullOrWhiteSpace(result.StandardOutput);
    }

    public async Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        await _runner.RunAsync(DockerCommands.RemoveImage(image), null, cancellationToken);

    public Task<int> ExecInteractiveAsync(string name, IReadOnlyList<string> command, bool interactive, bool tty, CancellationToken cancellationToken) =>
        _runner is IInteractiveCommandRunner attached
            ? attached.RunInteractiveAsync(DockerCommands.ExecInteractive(name, command, interactive, tty), tty, cancellationToken)
            : throw new Domain.InvalidInputException($"{_runner.Name} cannot attach a terminal to a command; run `app exec` without -i and -t there.");

    public async Task<IReadOnlyList<string>> VolumesOfAsync(string name, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.VolumesOf(name), null, cancellationToken);
        return result.Succeeded ? Lines(result.StandardOutput) : [];
    }

    public async Task<IReadOnlyList<string>> VolumeUsersAsync(string volume, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.VolumeUsers(volume), null, cancellationToken);
        result.EnsureSuccess();
        return Lines(result.StandardOutput);
    }

    public async Task<VolumeRemoval> RemoveVolumeAsync(string volume, CancellationToken cancellationToken)
    {
        // Asked first, so the answer names who uses it; docker refuses a volume in use anyway (a container created meanwhile).
        var users = await VolumeUsersAsync(volume, cancellationToken);
        if (users.Count > 0)
        {
            return new VolumeRemoval(volume, VolumeRemovalOutcome.InUse, users);
        }

        var result = await _runner.RunAsync(DockerCommands.RemoveVolume(volume), null, cancellationToken);
        if (result.Succeeded)
        {
            return new VolumeRemoval(volume, VolumeRemovalOutcome.Removed, []);
        }

        if (result.StandardError.Contains("no such volume", StringComparison.OrdinalIgnoreCase))
        {
            return new VolumeRemoval(volume, VolumeRemovalOutcome.Missing, []);
        }

        if (result.StandardError.Contains("in use", StringComparison.OrdinalIgnoreCase))
        {
            return new VolumeRemoval(volume, VolumeRemovalOutcome.InUse, await VolumeUsersAsync(volume, cancellationToken));
        }

        result.EnsureSuccess();
        return new VolumeRemoval(volume, VolumeRemovalOutcome.Removed, []);
    }

    // One host command lists and inspects them (a deploy lists the app's containers several times; over SSH each command is a round trip).
    public async Task<IReadOnlyList<ContainerState>> ListByLabelAsync(string label, string value, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.ListByLabel(label, value), null, cancellationToken);
        result.EnsureSuccess();
        return ParseListing(result.StandardOutput);
    }

    /// <summary>
    /// Reads <see cref="DockerCommands.ListByLabel"/>'s lines. A label docker reports empty is absent (DeployMind never
    /// sets one empty); the image is <see cref="ContainerLabels.Image"/> when set (docker's own column turns into the
    /// image's id once the tag is re-pointed); the exit code is the one in the status ("Exited (137) 2 minutes ago").
    /// </summary>
    internal static IReadOnlyList<ContainerState> ParseListing(string output)
    {
        var states = new List<ContainerState>();
        foreach (var line in Lines(output))
        {
            using var document = JsonDocument.Parse(line);
            var item = document.RootElement;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in item.GetProperty("labels").EnumerateObject())
            {
                if (label.Value.GetString() is { Length: > 0 } text)
                {
                    labels[label.Name] = text;
                }
            }

            // A paused container runs (as inspect says); one that crashed and is being restarted does not, for our purposes.
            var state = item.GetProperty("state").GetString();
            var running = state is "running" or "paused";
            var status = item.GetProperty("status").GetString() ?? string.Empty;
            int? exitCode = running ? null : ExitCodeIn(status);
            var image = labels.TryGetValue(ContainerLabels.Image, out var given) ? given : item.GetProperty("image").GetString() ?? string.Empty;
            states.Add(new ContainerState(item.GetProperty("name").GetString() ?? string.Empty, image, running, exitCode, labels));
        }

        return states;
    }

    /// <summary>The code in docker's "Exited (137) 2 minutes ago" or "Restarting (1) 3 seconds ago"; 0 without one (created).</summary>
    private static int ExitCodeIn(string status)
    {
        var open = status.IndexOf('(', StringComparison.Ordinal);
        var close = open < 0 ? -1 : status.IndexOf(')', open);
        return close > open + 1 && int.TryParse(status.AsSpan(open + 1, close - open - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            ? code
            : 0;
    }

    private static string[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<IReadOnlyList<ContainerState>> InspectManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(DockerCommands.InspectContainers(names), null, cancellationToken);

        // docker prints the containers it found even when one is missing (and exits 1).
        return ParseInspect(result.StandardOutput);
    }

    /// <summary>Reads <c>docker container inspect</c> JSON.</summary>
    internal static IReadOnlyList<ContainerState> ParseInspect(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var states = new List<ContainerState>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var name = item.GetProperty("Name").GetString()!.TrimStart('/');
            var config = item.GetProperty("Config");
            var state = item.GetProperty("State");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (config.TryGetProperty("Labels", out var labelElement) && labelElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in labelElement.EnumerateObject())
                {
                    labels[label.Name] = label.Value.GetString() ?? string.Empty;
                }
            }

            // A container that crashed and is being restarted by its restart policy is not running for our purposes.
            var running = state.GetProperty("Running").GetBoolean()
                && !(state.TryGetProperty("Restarting", out var restarting) && restarting.GetBoolean());
            int? exitCode = running ? null : state.GetProperty("ExitCode").GetInt32();
            var restarts = item.TryGetProperty("RestartCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : 0;
            states.Add(new ContainerState(name, config.GetProperty("Image").GetString() ?? string.Empty, running, exitCode, labels) { RestartCount = restarts });
        }

        return states;
    }
}
