using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Domain;
using DeployMind.Domain.Hosts;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Deploy;

/// <summary>
/// An app's accessories (<c>accessories:</c> in deploymind.yml) on the Docker hosts of one environment: booted once (by
/// <c>deploymind accessory boot</c> or the app's first deploy that needs them), kept across the app's deploys, rebooted or
/// removed only when asked (their volumes too, only when asked), and their addresses given to the app's containers as
/// <c>&lt;NAME&gt;_HOST</c> and <c>&lt;NAME&gt;_PORT</c>. A pull request's preview gets instances of its own (container, volumes,
/// port), removed with it. Callers hold the targets' locks.
/// </summary>
public sealed partial class Accessories
{
    /// <summary>The label that names the app an accessory container serves.</summary>
    public const string AccessoryOfLabel = ContainerLabels.AccessoryOf;

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private readonly DeployService _deploys;
    private readonly SecretResolver _secrets;
    private readonly AppOptions _app;
    private readonly TimeProvider _time;

    public Accessories(DeployService deploys, SecretResolver secrets, IOptions<AppOptions> app, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(app);
        _deploys = deploys;
        _secrets = secrets;
        _app = app.Value;
        _time = time;
    }

    /// <summary>The accessories' names, as configured.</summary>
    public IReadOnlyList<string> Names => [.. _app.Accessories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Accessory <paramref name="name"/> of <paramref name="app"/> in the command's environment, checked.</summary>
    /// <exception cref="InvalidInputException">No such accessory (with the closest name), or a setting is invalid (naming its key).</exception>
    public Accessory Describe(DeployCommand command, string app, string name)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!_app.Accessories.TryGetValue(name, out var options))
        {
            var known = _app.Accessories.Keys.ToList();
            var hint = Suggestions.Closest(name, known) is { } close ? $"; did you mean {close}?" : known.Count == 0 ? "; deploymind.yml has no accessories: section" : $"; it has {string.Join(", ", known)}";
            throw new InvalidInputException($"accessories: no accessory named '{name}'{hint}");
        }

        var key = $"accessories.{name}";
        if (!AccessoryName().IsMatch(name))
        {
            throw new InvalidInputException($"{key}: '{name}' is not a usable name (lower-case letters, digits and '-', starting with a letter).");
        }

        if (string.IsNullOrWhiteSpace(options.Image))
        {
            throw new InvalidInputException($"{key}.image: required (e.g. postgres:16 or redis:7).");
        }

        if (options.Port is < 1 or > 65535)
        {
            throw new InvalidInputException($"{key}.port: {options.Port} is not a port (1-65535).");
        }

        var hosts = _deploys.HostsOf(command);
        var host = options.Host is { Length: > 0 } wanted
            ? hosts.FirstOrDefault(h => string.Equals(h.Name, wanted, StringComparison.Ordinal))
                ?? throw new InvalidInputException($"{key}.host: '{wanted}' is not a host of environments.{command.Environment} ({string.Join(", ", hosts.Select(h => h.Name))}).")
            : hosts[0];
        // A preview's accessory is its own (app is the preview's instance, <app>-pr-<n>): its container and its volumes.
        var volumes = ContainerSettings.ParseVolumes(options.Volumes ?? [], key + ".volumes");
        return new Accessory(
            name,
            $"{app}-accessory-{name}",
            options.Image.Trim(),
            options.Port,
            host,
            command.PullRequest is null ? volumes : VolumeMounts.ForPreview(volumes, app, name),
            options.Command ?? [])
        {
            // On one host the app reaches it on loopback (host network); across hosts, at its host's address.
            Address = hosts.Count == 1 ? "127.0.0.1" : AddressOf(command, host.Name),
        };
    }

    /// <summary>
    /// What is wrong with the accessories the command's environment would boot, each naming its key (what a deploy refuses
    /// before it builds, and <c>validate</c> reports); none for an environment that runs in Kubernetes.
    /// </summary>
    public IReadOnlyList<string> Problems(DeployCommand command, string app)
    {
        ArgumentNullException.ThrowIfNull(command);
        var problems = new List<string>();
        if (_app.Accessories.Count == 0 || _deploys.TargetKindOf(command) != Targets.DeployTargetKind.Docker)
        {
            return problems;
        }

        foreach (var name in Names)
        {
            try
            {
                _ = Describe(command, app, name);
            }
            catch (InvalidInputException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems;
    }

    /// <summary>Every configured accessory, checked (see <see cref="Describe"/>).</summary>
    public IReadOnlyList<Accessory> DescribeAll(DeployCommand command, string app) => [.. Names.Select(n => Describe(command, app, n))];

    /// <summary>
    /// The accessories a deploy of the command boots, ready to boot: as configured for the app; for a pull request's preview
    /// its own instances (<see cref="Describe"/>) on a port of their own (host networking: production's accessory holds the
    /// configured one), the one a running instance was given, else a free one, given to the accessory in <c>PORT</c>.
    /// </summary>
    public async Task<IReadOnlyList<Accessory>> ForDeployAsync(DeployCommand command, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var all = DescribeAll(command, app);
        if (command.PullRequest is null)
        {
            return all;
        }

        var result = new List<Accessory>(all.Count);
        var taken = new HashSet<int>();
        foreach (var accessory in all)
        {
            if (accessory.Port is null)
            {
                result.Add(accessory);
                continue;
            }

            var state = await accessory.Host.Runtime.InspectAsync(accessory.Container, cancellationToken);
            var port = int.TryParse(state?.Label(ContainerLabels.Port), NumberStyles.None, CultureInfo.InvariantCulture, out var given)
                ? given
                : await accessory.Host.Ports.AllocateAsync(taken, cancellationToken);
            taken.Add(port);
            result.Add(accessory with { Port = port });
        }

        return result;
    }

    /// <summary>
    /// Removes the accessories a pull request's preview <paramref name="instance"/> booted on <paramref name="host"/> (found
    /// by their label, so no configuration is needed) and their named volumes, which are the preview's own; one line each.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemovePreviewInstancesAsync(DeployHost host, string instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var done = new List<string>();
        foreach (var container in await host.Runtime.ListByLabelAsync(AccessoryOfLabel, instance, cancellationToken))
        {
            var volumes = await host.Runtime.VolumesOfAsync(container.Name, cancellationToken);
            await host.Runtime.RemoveAsync(container.Name, cancellationToken);
            var removed = new List<VolumeRemoval>();
            foreach (var volume in volumes)
            {
                removed.Add(await host.Runtime.RemoveVolumeAsync(volume, cancellationToken));
            }

            done.Add($"{host.Name}: removed the accessory {container.Name}{(removed.Count == 0 ? string.Empty : $" and its volumes ({string.Join("; ", removed)})")}");
        }

        return done;
    }

    /// <summary>
    /// Starts the accessory unless it runs: a stopped container is started again, a missing one is created (its secrets
    /// resolved now). Fails when it exits within its first seconds, with its last log lines. One line saying what was done.
    /// </summary>
    public async Task<string> BootAsync(DeployCommand command, Accessory accessory, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(accessory);
        var runtime = accessory.Host.Runtime;
        var state = await runtime.InspectAsync(accessory.Container, cancellationToken);
        if (state is { Running: true })
        {
            return $"{accessory.Name}: runs on {accessory.Host.Name} ({accessory.Container})";
        }

        string done;
        if (state is not null)
        {
            await runtime.StartAsync(accessory.Container, cancellationToken);
            done = "started again";
        }
        else
        {
            var environment = await _secrets.ResolveAsync(AppEnvironment.OfAccessory(_app, command.Environment, command.AppPath, accessory.Name), cancellationToken);
            await runtime.RunAsync(
                new ContainerSpec(accessory.Container, accessory.Image, accessory.Port ?? 0)
                {
                    Environment = environment,
                    Labels = new Dictionary<string, string>
                    {
                        [ContainerLabels.App] = accessory.Container,
                        [AccessoryOfLabel] = app,
                        [ContainerLabels.Port] = (accessory.Port ?? 0).ToString(CultureInfo.InvariantCulture),
                    },
                    Volumes = accessory.Volumes,
                    Command = accessory.Command,
                    Init = true,
                },
                cancellationToken);
            done = "booted";
        }

        // Up, and still up a moment later: an accessory that exits at once (a bad setting) says why now, not at the app's first query.
        await Task.Delay(Settle, _time, cancellationToken);
        var after = await runtime.InspectAsync(accessory.Container, cancellationToken);
        if (after is not { Running: true })
        {
            var logs = await runtime.LogsAsync(accessory.Container, 20, cancellationToken);
            throw new DeployMindException(
                $"accessory {accessory.Name} ({accessory.Image}) on {accessory.Host.Name} exited{(after?.ExitCode is { } code ? $" with code {code.ToString(CultureInfo.InvariantCulture)}" : string.Empty)} right after it started. "
                + (logs.Count == 0 ? "It printed nothing." : $"Its last {logs.Count} log lines:\n  " + string.Join("\n  ", logs)));
        }

        return $"{accessory.Name}: {done} on {accessory.Host.Name} ({accessory.Container}, {accessory.Image})";
    }

    /// <summary>Removes the accessory's container (its volumes stay) and boots it again: a new image or new settings.</summary>
    public async Task<string> RebootAsync(DeployCommand command, Accessory accessory, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accessory);
        await accessory.Host.Runtime.RemoveAsync(accessory.Container, cancellationToken);
        return (await BootAsync(command, accessory, app, cancellationToken)).Replace(": booted", ": rebooted", StringComparison.Ordinal);
    }

    /// <summary>Removes the accessory's container; its volumes stay (remove them with docker volume rm when the data can go).</summary>
    public static Task<string> RemoveAsync(Accessory accessory, CancellationToken cancellationToken) => RemoveAsync(accessory, removeVolumes: false, cancellationToken);

    /// <summary>
    /// Removes the accessory's container, then with <paramref name="removeVolumes"/> its named volumes (one still mounted by
    /// another container stays, and the line says by which); bind mounts, folders of the host, always stay.
    /// </summary>
    public static async Task<string> RemoveAsync(Accessory accessory, bool removeVolumes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accessory);
        var runtime = accessory.Host.Runtime;
        var existed = await runtime.InspectAsync(accessory.Container, cancellationToken) is not null;
        await runtime.RemoveAsync(accessory.Container, cancellationToken);
        string volumes;
        if (!removeVolumes)
        {
            volumes = accessory.Volumes.Count == 0 ? string.Empty : $"; its volumes stay ({string.Join(", ", accessory.Volumes.Select(VolumeMounts.SourceOf))})";
        }
        else
        {
            var results = new List<string>();
            foreach (var volume in VolumeMounts.Named(accessory.Volumes))
            {
                results.Add((await runtime.RemoveVolumeAsync(volume, cancellationToken)).ToString());
            }

            results.AddRange(VolumeMounts.BindMounts(accessory.Volumes).Select(folder => $"{folder} kept: a host folder (bind mount) is never removed"));
            volumes = results.Count == 0 ? "; it has no volumes" : $"; volumes: {string.Join("; ", results)}";
        }

        return existed
            ? $"{accessory.Name}: removed {accessory.Container} from {accessory.Host.Name}{volumes}"
            : $"{accessory.Name}: no container {accessory.Container} on {accessory.Host.Name}{volumes}";
    }

    /// <summary>
    /// What the app's containers are told about the accessories: <c>&lt;NAME&gt;_HOST</c> (the address of the host it runs on,
    /// 127.0.0.1 on this machine) and <c>&lt;NAME&gt;_PORT</c>, for each accessory with a port.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Addresses(IEnumerable<Accessory> accessories)
    {
        ArgumentNullException.ThrowIfNull(accessories);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var accessory in accessories.Where(a => a.Port is not null))
        {
            var prefix = accessory.Name.ToUpperInvariant().Replace('-', '_');
            result[$"{prefix}_HOST"] = accessory.Address;
            result[$"{prefix}_PORT"] = accessory.Port!.Value.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }

    // The address of a host by its name: an SSH host's host name, else this machine's loopback.
    private string AddressOf(DeployCommand command, string hostName)
    {
        var configured = _app.Environment(command.Environment).Target.Docker?.Hosts?.FirstOrDefault(h => h.Name == hostName);
        var written = configured is null ? command.Host ?? hostName : configured.Ssh;
        return HostAddress.TryParse(written, out var address, out _) && address is HostAddress.Ssh ssh ? ssh.Host : "127.0.0.1";
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,40}$")]
    private static partial Regex AccessoryName();
}

/// <summary>An accessory, checked: its name, container, image, port, host, volumes and command.</summary>
public sealed record Accessory(string Name, string Container, string Image, int? Port, DeployHost Host, IReadOnlyList<string> Volumes, IReadOnlyList<string> Command)
{
    /// <summary>Where the app's containers reach it (given to them as <c>&lt;NAME&gt;_HOST</c>).</summary>
    public string Address { get; init; } = "127.0.0.1";
}
