using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>Checks a host through its own runner: the same path deploys take (local process or SSH).</summary>
internal sealed class HostChecks : IHostChecks
{
    private readonly DeployHostFactory _hosts;

    public HostChecks(DeployHostFactory hosts)
    {
        _hosts = hosts;
    }

    public async Task<IReadOnlyList<CheckResult>> CheckAsync(HostOptions host, IReadOnlyDictionary<int, string> listenPorts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(listenPorts);
        var results = new List<CheckResult>();
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
