using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Aws;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>
/// Checks a host through its own runner: the same path deploys take (local process, SSH or SSM). An SSM entry's SSM agent
/// must be online first; an entry with tags is checked as the instances it finds, each on its own.
/// </summary>
internal sealed class HostChecks : IHostChecks
{
    private readonly DeployHostFactory _hosts;

    public HostChecks(DeployHostFactory hosts)
    {
        _hosts = hosts;
    }

    public async Task<IReadOnlyList<CheckResult>> CheckDomainsAsync(HostOptions host, string app, IReadOnlyList<string> domains, SiteTls? tls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(domains);
        if (domains.Count == 0 || host.Ssm is { DiscoversByTags: true })
        {
            return [];
        }

        try
        {
            return await _hosts.RouterFor(host).CheckDomainsAsync(host.Name, app, domains, tls, cancellationToken);
        }
        catch (DeployMindException ex)
        {
            return [new CheckResult($"{host.Name}: domains of {app}", false, ex.Message)];
        }
    }

    public async Task<IReadOnlyList<CheckResult>> CheckAsync(HostOptions host, IReadOnlyDictionary<int, string> listenPorts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(listenPorts);
        var results = new List<CheckResult>();
        if (host.Ssm is not null)
        {
            var instances = await SsmInstancesAsync(host, results, cancellationToken);
            if (instances is null)
            {
                return results;
            }

            if (host.Ssm.DiscoversByTags)
            {
                foreach (var instance in instances)
                {
                    results.AddRange(await CheckAsync(instance, listenPorts, cancellationToken));
                }

                return results;
            }
        }

        ICommandRunner runner;
        try
        {
            runner = _hosts.RunnerFor(host);
            var whoami = await runner.RunAsync(CommandSpec.Create("id", "-un"), null, cancellationToken);
            results.Add(new CheckResult($"{host.Name}: connection", whoami.Succeeded, whoami.Succeeded ? $"{runner.Name} as {whoami.StandardOutput.Trim()}" : whoami.StandardError.Trim()));
        }
        catch (DeployMindException ex)
        {
            results.Add(new CheckResult($"{host.Name}: connection", false, ex.Message));
            return results;
        }

        results.Add(await ToolAsync(runner, host.Name, "Docker engine", CommandSpec.Create("docker", "version", "--format", "{{.Server.Version}}"),
            "start the engine (dockerd) and make sure this user may use it (root or the docker group)", cancellationToken));
        var nginx = await ToolAsync(runner, host.Name, "nginx", CommandSpec.Create("nginx", "-v"), "install nginx (apt-get install nginx)", cancellationToken);
        results.Add(nginx);
        var ss = await ToolAsync(runner, host.Name, "ss", CommandSpec.Create("ss", "-V"), "install iproute2", cancellationToken);
        results.Add(ss);
        var curl = await ToolAsync(runner, host.Name, "curl", CommandSpec.Create("curl", "--version"), "install curl", cancellationToken);
        results.Add(curl);
        if (nginx.Passed && ss.Passed && curl.Passed)
        {
            results.AddRange(await SitesAsync(host, listenPorts, cancellationToken));
        }

        return results;
    }

    /// <summary>
    /// For an SSM entry, a row on its instances (found by tags) or on its instance's SSM agent (PingStatus Online); the
    /// instances to check, or null when there is nothing more to check.
    /// </summary>
    private async Task<IReadOnlyList<HostOptions>?> SsmInstancesAsync(HostOptions host, List<CheckResult> results, CancellationToken cancellationToken)
    {
        var ssm = host.Ssm!;
        var discovery = new SsmInstanceDiscovery(_hosts.Aws);
        try
        {
            if (ssm.DiscoversByTags)
            {
                var found = await discovery.DiscoverAsync(host.Name, ssm, cancellationToken);
                results.Add(new CheckResult($"{host.Name}: instances", true, $"{found.Count} with tags {ssm.TagsText()} and the SSM agent online: {string.Join(", ", found.Select(i => i.InstanceId + (i.Name is null ? string.Empty : $" ({i.Name})")))}"));
                return [.. found.Select(i => DeployHostFactory.InstanceHost(host, i.InstanceId))];
            }

            var address = ssm.ParseInstance();
            var status = await discovery.PingStatusesAsync([address.InstanceId], address.Region, cancellationToken);
            var ping = status.GetValueOrDefault(address.InstanceId);
            var online = ping == "Online";
            results.Add(new CheckResult(
                $"{host.Name}: SSM agent",
                online,
                online ? $"{address.InstanceId} online"
                    : $"{address.InstanceId} {(ping is null ? "is not registered with SSM" : "is " + ping)} — start the instance, run the SSM agent with an instance role that has AmazonSSMManagedInstanceCore, and check the region"));
            return online ? [host] : null;
        }
        catch (DeployMindException ex)
        {
            results.Add(new CheckResult($"{host.Name}: {(ssm.DiscoversByTags ? "instances" : "SSM agent")}", false, ex.Message));
            return null;
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonClientException or HttpRequestException or IOException)
        {
            results.Add(new CheckResult($"{host.Name}: SSM agent", false, $"could not ask SSM: {ex.Message}"));
            return null;
        }
    }

    /// <summary>The host's nginx sites: each served as written, no listen port (theirs or a configured one) held by another process.</summary>
    private async Task<IReadOnlyList<CheckResult>> SitesAsync(HostOptions host, IReadOnlyDictionary<int, string> listenPorts, CancellationToken cancellationToken)
    {
        try
        {
            return await _hosts.RouterFor(host).DiagnoseAsync(host.Name, listenPorts, cancellationToken);
        }
        catch (DeployMindException ex)
        {
            return [new CheckResult($"{host.Name}: nginx sites", false, ex.Message)];
        }
    }

    private static async Task<CheckResult> ToolAsync(ICommandRunner runner, string host, string what, CommandSpec command, string fix, CancellationToken cancellationToken)
    {
        try
        {
            var result = await runner.RunAsync(command, null, cancellationToken);
            var text = (result.StandardOutput + result.StandardError).Trim().Split('\n')[0].Trim();
            text = text.Length > 60 ? text[..60] + "…" : text;
            return result.Succeeded
                ? new CheckResult($"{host}: {what}", true, text)
                : new CheckResult($"{host}: {what}", false, $"{text} — {fix}");
        }
        catch (CommandStartException)
        {
            return new CheckResult($"{host}: {what}", false, $"not found — {fix}");
        }
    }
}
