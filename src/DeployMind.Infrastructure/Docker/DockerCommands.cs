using System.Globalization;
using DeployMind.Application.Build;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Docker;

/// <summary>Builds docker CLI commands as data (no execution here).</summary>
internal static class DockerCommands
{
    public const string Program = "docker";

    /// <summary>Format for <see cref="InspectImage"/>: id, size in bytes, layer count, separated by '|'.</summary>
    public const string InspectFormat = "{{.Id}}|{{.Size}}|{{len .RootFS.Layers}}";

    /// <summary>
    /// <c>docker build</c> for <paramref name="request"/>; build-arg values are marked as secrets. With
    /// <paramref name="buildKit"/>, BuildKit builds it with plain progress output (one line per event, as the parser
    /// reads it): <c>docker buildx build --load</c>, or the engine's built-in BuildKit through <c>DOCKER_BUILDKIT=1</c>
    /// and the client that supports it; without, the classic builder.
    /// </summary>
    public static CommandSpec Build(ImageBuildRequest request, BuildKitClient? buildKit = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = buildKit switch
        {
            null => new List<string> { "build", "--force-rm" }, // the classic builder otherwise leaves the container of a failed step behind
            { Buildx: true } => new List<string> { "buildx", "build", "--load", "--progress=plain" },
            _ => new List<string> { "build", "--progress=plain" },
        };
        args.AddRange(["--tag", request.ImageTag, "--file", request.DockerfilePath]);
        if (!string.IsNullOrWhiteSpace(request.Network))
        {
            args.Add("--network");
            args.Add(request.Network);
        }

        if (request.NoCache)
        {
            args.Add("--no-cache");
        }

        foreach (var (name, value) in request.BuildArgs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--build-arg");
            args.Add($"{name}={value}");
        }

        foreach (var (name, value) in request.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--label");
            args.Add($"{name}={value}");
        }

        args.Add(request.ContextPath);
        var spec = new CommandSpec(buildKit?.Program ?? Program, args);
        if (buildKit is { Buildx: false })
        {
            spec = spec.WithEnvironment("DOCKER_BUILDKIT", "1");
        }
        foreach (var value in request.BuildArgs.Values)
        {
            spec = spec.WithSecret(value);
        }

        return spec;
    }

    /// <summary><c>docker version</c> printing the client's version, the engine's version and its OS, separated by '|'.</summary>
    public static CommandSpec Version(string program = Program) =>
        CommandSpec.Create(program, "version", "--format", "{{.Client.Version}}|{{.Server.Version}}|{{.Server.Os}}");

    /// <summary><c>docker buildx version</c>: succeeds when the buildx plugin is installed.</summary>
    public static CommandSpec BuildxVersion() => CommandSpec.Create(Program, "buildx", "version");

    /// <summary><c>docker image inspect</c> printing <see cref="InspectFormat"/>.</summary>
    public static CommandSpec InspectImage(string image) =>
        CommandSpec.Create(Program, "image", "inspect", "--format", InspectFormat, image);

    /// <summary>
    /// <c>docker run</c>: detached, host network, PORT and HOST set, the spec's restart policy (unless stopped by default),
    /// init process, stop timeout, CPU and memory limits and volumes. The app's variables
    /// (<see cref="ContainerSpec.Environment"/>) are read from <paramref name="envFile"/> (see <see cref="RunWithEnvFile"/>),
    /// never put on the command line; without one, a spec with variables is refused.
    /// </summary>
    public static CommandSpec Run(ContainerSpec spec, string? envFile = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Environment.Count > 0 && envFile is null)
        {
            throw new ArgumentException($"Container {spec.Name} has environment variables: pass them in an env file, never on the command line.", nameof(envFile));
        }

        var args = new List<string> { "run", "--detach", "--name", spec.Name, "--network", "host", "--restart", spec.Restart };

        // --env wins over --env-file: PORT or HOST given in the spec's environment (a test's broken release) replaces ours.
        foreach (var (name, value) in new[] { ("PORT", spec.Port.ToString(CultureInfo.InvariantCulture)), ("HOST", spec.BindAddress) })
        {
            // A process that serves nothing (a worker) gets no PORT.
            if (!spec.Environment.ContainsKey(name) && !(name == "PORT" && spec.Port <= 0))
            {
                args.Add("--env");
                args.Add($"{name}={value}");
            }
        }

        if (envFile is not null)
        {
            args.Add("--env-file");
            args.Add(envFile);
        }

        foreach (var (name, value) in spec.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--label");
            args.Add($"{name}={value}");
        }

        if (spec.Init)
        {
            args.Add("--init");
        }

        if (spec.StopTimeout is { } stopTimeout)
        {
            args.Add("--stop-timeout");
            args.Add(Seconds(stopTimeout));
        }

        if (spec.Cpus is { } cpus)
        {
            args.Add("--cpus");
            args.Add(cpus.ToString(CultureInfo.InvariantCulture));
        }

        if (spec.MemoryBytes is { } memory)
        {
            args.Add("--memory");
            args.Add(memory.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var volume in spec.Volumes)
        {
            args.Add("--volume");
            args.Add(volume);
        }

        args.Add(spec.Image);
        args.AddRange(spec.Command);
        return new CommandSpec(Program, args);
    }

    /// <summary>The argument of <c>--env-file</c> that <see cref="RunWithEnvFile"/>'s script replaces by the file's path on the host.</summary>
    private const string EnvFileArgument = "@deploymind-env-file@";

    /// <summary>The exit code of <see cref="RunWithEnvFile"/> when the env file could not be written (docker did not run).</summary>
    public const int EnvFileNotWritten = 97;

    // $1 = the container's name, then the docker command. The file's content comes on standard input; umask 077 and chmod 600
    // keep it the user's; its path (under the host user's home) takes the place of the --env-file argument; when docker fails,
    // the file goes. One host command: on a remote host one round trip, not two.
    private const string RunWithEnvFileScript =
        "umask 077; d=\"${HOME:-/tmp}/.deploymind/env\"; f=\"$d/$1.env\"; shift; "
        + "mkdir -p \"$d\" && cat > \"$f\" && chmod 600 \"$f\" || { echo \"could not write the env file $f\" >&2; exit 97; }; "
        + "for a do shift; [ \"$a\" = '" + EnvFileArgument + "' ] && a=$f; set -- \"$@\" \"$a\"; done; "
        + "\"$@\" && exit; s=$?; rm -f \"$f\"; exit $s";

    /// <summary>
    /// <see cref="Run"/> with the spec's variables: one host command writes them to the container's env file
    /// (~/.deploymind/env/&lt;container&gt;.env, mode 0600; the NAME=value lines through standard input, never on a command
    /// line) and runs docker with it. Exits <see cref="EnvFileNotWritten"/> when the file could not be written; removes it
    /// when docker fails.
    /// </summary>
    public static CommandSpec RunWithEnvFile(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var content = new System.Text.StringBuilder();
        foreach (var (name, value) in spec.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new ArgumentException($"The value of {name} spans several lines; an env file holds one line per variable.", nameof(spec));
            }

            content.Append(name).Append('=').Append(value).Append('\n');
        }

        var run = Run(spec, EnvFileArgument);
        var command = new CommandSpec("sh", ["-c", RunWithEnvFileScript, "sh", spec.Name, run.Program, .. run.Arguments]) with { StandardInput = content.ToString() };
        foreach (var value in spec.Environment.Values)
        {
            command = command.WithSecret(value);
        }

        return command;
    }

    private const string RemoveEnvFileScript = "rm -f \"${HOME:-/tmp}/.deploymind/env/$1.env\"";

    /// <summary>Removes the env file of container <paramref name="container"/> (no error when there is none).</summary>
    public static CommandSpec RemoveEnvFile(string container) => CommandSpec.Create("sh", "-c", RemoveEnvFileScript, "sh", container);

    /// <summary><c>docker container inspect</c> of one or more containers (a JSON array).</summary>
    public static CommandSpec InspectContainers(IEnumerable<string> names) =>
        new(Program, ["container", "inspect", .. names]);

    /// <summary>
    /// <c>docker ps</c> of every container, running or not, labelled <paramref name="label"/>=<paramref name="value"/>: one
    /// JSON object per line (name, image, state, status and DeployMind's labels, <see cref="ContainerLabels.Listed"/>),
    /// each value written by docker's own <c>json</c> function, so no name or label value can break a line. One docker
    /// command, not a listing followed by an inspection.
    /// </summary>
    public static CommandSpec ListByLabel(string label, string value) =>
        CommandSpec.Create(Program, "ps", "--all", "--no-trunc", "--filter", $"label={label}={value}", "--format", ListFormat);

    /// <summary>The <c>--format</c> of <see cref="ListByLabel"/>: a JSON object per container.</summary>
    internal static readonly string ListFormat =
        "{\"name\":{{json .Names}},\"image\":{{json .Image}},\"state\":{{json .State}},\"status\":{{json .Status}},\"labels\":{"
        + string.Join(",", ContainerLabels.Listed.Select(l => $"\"{l}\":{{{{json (.Label \"{l}\")}}}}"))
        + "}}";

    /// <summary><c>docker top</c>: the container's processes (all of them, with their host PIDs in the PID column).</summary>
    public static CommandSpec Top(string name) => CommandSpec.Create(Program, "top", name);

    public static CommandSpec Logs(string name, int lines) =>
        CommandSpec.Create(Program, "logs", "--tail", lines.ToString(CultureInfo.InvariantCulture), name);

    /// <summary><c>docker exec</c> without a terminal: <paramref name="command"/> as given, each word one argument.</summary>
    public static CommandSpec Exec(string name, IReadOnlyList<string> command) => new(Program, ["exec", name, .. command]);

    /// <summary>
    /// <c>docker exec</c> attached to the user's terminal: <c>-i</c> keeps standard input open, <c>-t</c> gives the command a
    /// terminal; <paramref name="command"/> as given, each word one argument.
    /// </summary>
    public static CommandSpec ExecInteractive(string name, IReadOnlyList<string> command, bool interactive, bool tty) =>
        new(Program, ["exec", .. interactive ? ["--interactive"] : Array.Empty<string>(), .. tty ? ["--tty"] : Array.Empty<string>(), name, .. command]);

    /// <summary>The named volumes a container mounts, one per line (bind mounts of host folders left out).</summary>
    public static CommandSpec VolumesOf(string name) =>
        CommandSpec.Create(Program, "container", "inspect", "--format", "{{range .Mounts}}{{if eq .Type \"volume\"}}{{println .Name}}{{end}}{{end}}", name);

    /// <summary>Names of every container (running or not) that mounts the named volume.</summary>
    public static CommandSpec VolumeUsers(string volume) =>
        CommandSpec.Create(Program, "ps", "--all", "--filter", $"volume={volume}", "--format", "{{.Names}}");

    /// <summary><c>docker volume rm</c>: fails while a container mounts it.</summary>
    public static CommandSpec RemoveVolume(string volume) => CommandSpec.Create(Program, "volume", "rm", volume);

    /// <summary><c>docker logs --follow</c>: the last lines, then new ones until the container stops.</summary>
    public static CommandSpec FollowLogs(string name, int lines) =>
        CommandSpec.Create(Program, "logs", "--follow", "--tail", lines.ToString(CultureInfo.InvariantCulture), name);

    /// <summary><c>docker logs</c> as <paramref name="query"/> asks: <c>--tail</c>, <c>--since</c> (RFC 3339, UTC) and <c>--follow</c>.</summary>
    public static CommandSpec Logs(string name, ContainerLogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var args = new List<string> { "logs" };
        if (query.Follow)
        {
            args.Add("--follow");
        }

        if (query.Since is { } since)
        {
            args.Add("--since");
            args.Add(since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        args.AddRange(["--tail", query.Lines.ToString(CultureInfo.InvariantCulture), name]);
        return new CommandSpec(Program, args);
    }

    public static CommandSpec Stop(string name, TimeSpan grace) =>
        CommandSpec.Create(Program, "stop", "--time", Seconds(grace), name);

    public static CommandSpec Start(string name) => CommandSpec.Create(Program, "start", name);

    public static CommandSpec Remove(string name) => CommandSpec.Create(Program, "rm", "--force", name);

    public static CommandSpec ImageId(string image) => CommandSpec.Create(Program, "image", "inspect", "--format", "{{.Id}}", image);

    /// <summary><c>docker tag</c>.</summary>
    public static CommandSpec Tag(string source, string target) => CommandSpec.Create(Program, "tag", source, target);

    /// <summary><c>docker save</c> of one image to standard output (a tar archive with its tags).</summary>
    public static CommandSpec Save(string image) => CommandSpec.Create(Program, "save", image);

    /// <summary><c>docker load</c> from standard input (tar, plain or compressed).</summary>
    public static CommandSpec Load() => CommandSpec.Create(Program, "load");

    // $1 = pull or push, $2 = image; with a login also $3 = user, $4 = server, the password on standard input. The login goes to
    // a private config folder made for this command and removed after it, so no credential stays on the host.
    private const string RegistryScript =
        "if [ \"$#\" -gt 2 ]; then d=$(mktemp -d) || exit 1; trap 'rm -rf \"$d\"' EXIT; "
        + "docker --config \"$d\" login --username \"$3\" --password-stdin \"$4\" >/dev/null || exit $?; "
        + "docker --config \"$d\" \"$1\" \"$2\"; else docker \"$1\" \"$2\"; fi";

    /// <summary>
    /// <c>docker pull</c> or <c>docker push</c> of <paramref name="image"/>; with a login, <c>docker login --password-stdin</c>
    /// first into a throwaway config folder (the password on standard input, never on the line).
    /// </summary>
    public static CommandSpec Transfer(string verb, string image, RegistryLogin? login)
    {
        if (verb is not ("pull" or "push"))
        {
            throw new ArgumentException($"'{verb}' is neither pull nor push.", nameof(verb));
        }

        return login is null
            ? CommandSpec.Create(Program, verb, image)
            : CommandSpec.Create("sh", "-c", RegistryScript, "sh", verb, image, login.Username, login.Server)
                with { StandardInput = login.Password, Secrets = [login.Password] };
    }

    /// <summary>Ids of every container (running or not) created from the image (any of its tags): <c>--filter ancestor</c>.</summary>
    public static CommandSpec ContainersOf(string image) =>
        CommandSpec.Create(Program, "ps", "--all", "--quiet", "--no-trunc", "--filter", $"ancestor={image}");

    public static CommandSpec RemoveImage(string image) => CommandSpec.Create(Program, "image", "rm", image);

    // Whole seconds, rounded up: docker's stop timeouts take no fraction.
    private static string Seconds(TimeSpan value) => ((int)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
