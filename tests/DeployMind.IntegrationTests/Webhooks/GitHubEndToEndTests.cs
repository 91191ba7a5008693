using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>
/// GitHub deliveries end to end on this machine (a push to main deploys production; a pull request gets a preview): a signed pull_request delivery to the real server (embedded
/// queue, its own worker) → the head commit fetched from a local bare repository, built, deployed behind nginx under
/// pr-&lt;n&gt;.localhost → the PR's comment and commit statuses on a loopback GitHub API; closing the PR removes it.
/// </summary>
public sealed class GitHubEndToEndTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "e2e-secret";
    private const string TokenVariable = "DEPLOYMIND_E2E_GITHUB_TOKEN";
    private const int Number = 7;
    private readonly TempFolder _work = new();
    private readonly TempFolder _prefix = new();
    private readonly int _port = Support.Docker.FreePort();
    private FakeGitHubApi _github = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHubApi.StartAsync();
        _github.ExpectedToken = "ghp_e2eTokenNotReal";
        Environment.SetEnvironmentVariable(TokenVariable, _github.ExpectedToken);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(TokenVariable, null);
        foreach (var app in new[] { "hello", "hello-pr-7" })
        {
            var ids = await Support.Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={app}");
            foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Support.Docker.RunAsync("rm", "--force", id);
            }
        }

        await Support.Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var images = await Support.Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", "hello");
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Support.Docker.RemoveImageAsync(image);
        }

        await _github.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        _work.Dispose();
        _prefix.Dispose();
    }

    [Fact]
    public async Task AnOpenedPullRequest_GetsAPreviewThroughNginx_ReportedOnGitHub_AndClosingItRemovesThePreview()
    {
        var (bare, head) = await CreateRepositoryAsync();
        await using var server = await DeployMindServerFixture.StartAsync(
            new Dictionary<string, string?>
            {
                ["server:webhookSecret"] = Secret,
                ["server:workers:enabled"] = "true",
                ["server:workers:environments:0"] = "preview",
                ["server:repositories:acme/hello:source"] = bare,
                ["github:apiUrl"] = _github.BaseUrl.ToString(),
                ["github:tokenVariable"] = TokenVariable,
                ["nginx:prefix"] = _prefix.Path,
            },
            machineConfig: Repo.LocalBaseImagesConfig);

        // Opened: the preview is built from the head commit and answers under its own name.
        var opened = await DeliverAsync(server, "opened", head);
        var deployment = await WaitFinishedAsync(server, opened, TimeSpan.FromMinutes(6));
        Assert.True(deployment.State == DeploymentState.Succeeded, $"{deployment.State}: {deployment.Reason}\n{string.Join('\n', deployment.Events.Select(e => e.Detail))}");
        Assert.Equal(("hello-pr-7", Number, head), (deployment.App, deployment.PullRequest, deployment.Commit));
        Assert.Equal($"http://pr-7.localhost:{_port}/", deployment.Url);
        // Its own lock: a preview never waits for (or blocks) the deploys of the app itself on the same host.
        Assert.Contains(deployment.Events, e => e.Detail.StartsWith("holding docker:local/hello-pr-7 with fencing token", StringComparison.Ordinal));
        var (status, body) = await GetAsync("pr-7.localhost");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("preview build", body, StringComparison.Ordinal);

        // GitHub heard about it: statuses per stage ending in success, one report comment with the preview's address.
        await _github.WaitForRequestsAsync(_ => _github.Statuses("acme", "hello", head).Any(s => s.State == "success"), TimeSpan.FromSeconds(30));
        var statuses = _github.Statuses("acme", "hello", head);
        Assert.All(statuses, s => Assert.Equal("deploymind/preview", s.Context));
        Assert.Equal("pending", statuses[0].State);
        Assert.Equal("success", statuses[^1].State);
        var comment = Assert.Single(_github.Comments("acme", "hello", Number));
        Assert.Contains($"http://pr-7.localhost:{_port}/", comment.Body, StringComparison.Ordinal);
        Assert.Contains(head[..7], comment.Body, StringComparison.Ordinal);

        // Closed: the preview is removed; the same comment says so.
        var closed = await DeliverAsync(server, "closed", head);
        var teardown = await WaitFinishedAsync(server, closed, TimeSpan.FromMinutes(2));
        Assert.True(teardown.State == DeploymentState.Succeeded, $"{teardown.State}: {teardown.Reason}");
        Assert.True(teardown.IsTeardown);
        var left = await Support.Docker.RunAsync("ps", "-aq", "--filter", "label=io.deploymind.app=hello-pr-7");
        Assert.Equal(string.Empty, left.StandardOutput.Trim());
        var after = await GetAsync("pr-7.localhost");
        Assert.True(after.Status != HttpStatusCode.OK, $"still answered: {after.Body}\n{string.Join('\n', teardown.Events.Select(e => e.Detail))}");
        await _github.WaitForRequestsAsync(_ => _github.Comments("acme", "hello", Number).Single().Body.Contains("removed", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30));
        Assert.Single(_github.Comments("acme", "hello", Number));
        Assert.DoesNotContain(_github.Requests, r => r.Authorization is { } a && !a.Contains(_github.ExpectedToken!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task APreview_BootsItsOwnAccessoriesBesideProductions_TellsItsAppWhereTheyAre_AndClosingRemovesThemWithTheirVolumes()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var app = $"dmacc-{id}";
        var volume = $"dmacc-{id}-data";
        var accessoryPort = Support.Docker.FreePort();
        var production = $"{app}-accessory-cache";
        var preview = $"{app}-pr-{Number}-accessory-cache";
        var previewVolume = $"{app}-pr-{Number}-{volume}";
        var (bare, head) = await CreateRepositoryAsync($$"""
            app: {{app}}
            accessories:
              cache:
                image: deploymind-base/python:3.11
                port: {{accessoryPort}}
                volumes: ["{{volume}}:/data"]
                command: [sh, -c, 'cd /data && exec python3 -m http.server "$PORT" --bind 127.0.0.1']
            environments:
              preview:
                target: { docker: { port: {{_port}} } }
                healthCheck: { path: /health, interval: 500ms, timeout: 2s, successes: 2, deadline: 90s }
                verify: { successes: 2, interval: 500ms, deadline: 30s }
            previews:
              domain: localhost
            """);
        try
        {
            // Production's accessory runs, with its data on its volume.
            var booted = await Support.Docker.Runner.RunAsync(
                new CommandSpec("dotnet", [Path.Combine(AppContext.BaseDirectory, "deploymind.dll"), "accessory", "boot", "cache", Path.Combine(_work.Path, "tree"), "--env", "preview"])
                    .WithEnvironment("DEPLOYMIND_HOME", _prefix.Path),
                null,
                CancellationToken.None);
            Assert.True(booted.Succeeded, booted.StandardOutput + booted.StandardError);
            await Support.Docker.RunAsync("exec", production, "sh", "-c", "echo production > /data/owner");
            var productionId = await ContainerIdAsync(production);

            await using var server = await DeployMindServerFixture.StartAsync(
                new Dictionary<string, string?>
                {
                    ["server:webhookSecret"] = Secret,
                    ["server:workers:enabled"] = "true",
                    ["server:workers:environments:0"] = "preview",
                    ["server:repositories:acme/hello:source"] = bare,
                    ["github:apiUrl"] = _github.BaseUrl.ToString(),
                    ["github:tokenVariable"] = TokenVariable,
                    ["nginx:prefix"] = _prefix.Path,
                },
                machineConfig: Repo.LocalBaseImagesConfig);

            // Opened: the preview boots its own accessory (own container, volume and port) and its app is told where it is.
            var opened = await WaitFinishedAsync(server, await DeliverAsync(server, "opened", head), TimeSpan.FromMinutes(6));
            Assert.True(opened.State == DeploymentState.Succeeded, $"{opened.State}: {opened.Reason}\n{string.Join('\n', opened.Events.Select(e => e.Detail))}");
            var labels = (await Support.Docker.RunAsync("inspect", "--format", "{{index .Config.Labels \"io.deploymind.port\"}} {{range .Mounts}}{{.Name}}{{end}}", preview)).StandardOutput.Trim().Split(' ');
            var previewPort = int.Parse(labels[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.NotEqual(accessoryPort, previewPort);
            Assert.Equal(previewVolume, labels[1]);
            Assert.Equal(productionId, await ContainerIdAsync(production));
            Assert.Equal("production", (await Support.Docker.RunAsync("exec", production, "cat", "/data/owner")).StandardOutput.Trim());
            Assert.NotEqual(0, (await Support.Docker.RunAsync("exec", preview, "cat", "/data/owner")).ExitCode);
            using (var client = new HttpClient())
            {
                Assert.Contains("Directory listing", await client.GetStringAsync(new Uri($"http://127.0.0.1:{previewPort}/")), StringComparison.Ordinal);
            }

            var previewApp = (await Support.Docker.RunAsync("ps", "-q", "--filter", $"label=io.deploymind.app={app}-pr-{Number}")).StandardOutput.Trim();
            var env = (await Support.Docker.RunAsync("inspect", "--format", "{{json .Config.Env}}", previewApp)).StandardOutput;
            Assert.Contains($"CACHE_PORT={previewPort}", env, StringComparison.Ordinal);
            Assert.Contains("CACHE_HOST=127.0.0.1", env, StringComparison.Ordinal);

            // Closed: the preview's accessory goes with its volume; production's stays, with its data.
            var closed = await WaitFinishedAsync(server, await DeliverAsync(server, "closed", head), TimeSpan.FromMinutes(2));
            Assert.True(closed.State == DeploymentState.Succeeded, $"{closed.State}: {closed.Reason}");
            Assert.Equal(string.Empty, await ContainerIdAsync(preview));
            Assert.NotEqual(0, (await Support.Docker.RunAsync("volume", "inspect", previewVolume)).ExitCode);
            Assert.Equal(productionId, await ContainerIdAsync(production));
            Assert.Equal("production", (await Support.Docker.RunAsync("exec", production, "cat", "/data/owner")).StandardOutput.Trim());
            var log = await server.Get<IDeploymentStore>().ReadLogAsync(closed.Id, 0, 1000, CancellationToken.None);
            Assert.Contains(log, l => l.Text.Contains($"removed the accessory {preview} and its volumes ({previewVolume} removed)", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var name in new[] { production, preview })
            {
                await Support.Docker.RemoveContainerAsync(name);
            }

            var ids = await Support.Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={app}-pr-{Number}");
            foreach (var container in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Support.Docker.RunAsync("rm", "--force", container);
            }

            await Support.Docker.RunAsync("volume", "rm", "--force", volume, previewVolume);
            var images = await Support.Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", app);
            foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Support.Docker.RemoveImageAsync(image);
            }
        }
    }

    private static async Task<string> ContainerIdAsync(string name) =>
        (await Support.Docker.RunAsync("ps", "-aq", "--filter", $"name=^{name}$")).StandardOutput.Trim();

    [Fact]
    public async Task APushToMain_DeploysProductionThroughTheServersWorker_AndReportsTheCommitStatus()
    {
        var (bare, _) = await CreateRepositoryAsync();
        var main = (await GitAsync(_work.Path, "--git-dir", bare, "rev-parse", "main")).Trim();
        await using var server = await DeployMindServerFixture.StartAsync(
            new Dictionary<string, string?>
            {
                ["server:webhookSecret"] = Secret,
                ["server:workers:enabled"] = "true",
                ["server:workers:environments:0"] = "production",
                ["server:repositories:acme/hello:source"] = bare,
                ["github:apiUrl"] = _github.BaseUrl.ToString(),
                ["github:tokenVariable"] = TokenVariable,
                ["nginx:prefix"] = _prefix.Path,
            },
            machineConfig: Repo.LocalBaseImagesConfig);
        var json = JsonNode.Parse(SignedDelivery.Fixture("push.with-new-branch.json"))!;
        (json["ref"], json["after"]) = ("refs/heads/main", main);
        json["repository"]!["full_name"] = "acme/hello";
        json["repository"]!["default_branch"] = "main";
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", Encoding.UTF8.GetBytes(json.ToJsonString()), Secret));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, answer.ToJsonString());

        var deployment = await WaitFinishedAsync(server, Guid.Parse(answer["deploymentId"]!.GetValue<string>()), TimeSpan.FromMinutes(6));
        Assert.True(deployment.State == DeploymentState.Succeeded, $"{deployment.State}: {deployment.Reason}\n{string.Join('\n', deployment.Events.Select(e => e.Detail))}");
        Assert.Equal(("hello", "production", main, "main"), (deployment.App, deployment.Environment, deployment.Commit, deployment.Branch));
        Assert.Contains(deployment.Events, e => e.Detail.StartsWith("holding docker:local with fencing token", StringComparison.Ordinal));
        var (status, body) = await GetAsync("localhost");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Hello from DeployMind", body, StringComparison.Ordinal);
        await _github.WaitForRequestsAsync(_ => _github.Statuses("acme", "hello", main).Any(s => s.State == "success"), TimeSpan.FromSeconds(30));
        Assert.All(_github.Statuses("acme", "hello", main), s => Assert.Equal("deploymind/production", s.Context));
        Assert.Empty(_github.Comments("acme", "hello", Number));
        Assert.Matches(@"deploymind_deployments_finished_total\{environment=""production"",outcome=""succeeded""\} [1-9]", await server.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task WhatTheAppsOwnConfigurationRefuses_EndsCancelledSayingWhy_AndRunsNothing()
    {
        // The server maps main to production, but the app says production deploys `release`; and it has no previews.
        var (bare, head) = await CreateRepositoryAsync("""
            app: hello
            environments:
              production:
                branch: release
            previews:
              enabled: false
            """);
        var main = (await GitAsync(_work.Path, "--git-dir", bare, "rev-parse", "main")).Trim();
        await using var server = await DeployMindServerFixture.StartAsync(
            new Dictionary<string, string?>
            {
                ["server:webhookSecret"] = Secret,
                ["server:workers:enabled"] = "true",
                ["server:workers:environments:0"] = "production",
                ["server:workers:environments:1"] = "preview",
                ["server:repositories:acme/hello:source"] = bare,
                ["server:repositories:acme/hello:branches:main"] = "production",
                ["nginx:prefix"] = _prefix.Path,
            },
            machineConfig: Repo.LocalBaseImagesConfig);
        var json = JsonNode.Parse(SignedDelivery.Fixture("push.with-new-branch.json"))!;
        (json["ref"], json["after"]) = ("refs/heads/main", main);
        json["repository"]!["full_name"] = "acme/hello";
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("push", Encoding.UTF8.GetBytes(json.ToJsonString()), Secret));
        var pushed = Guid.Parse(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["deploymentId"]!.GetValue<string>());
        var preview = await DeliverAsync(server, "opened", head);

        var push = await WaitFinishedAsync(server, pushed, TimeSpan.FromMinutes(2));
        Assert.Equal(DeploymentState.Cancelled, push.State);
        Assert.Contains("environments.production.branch is release", push.Events[^1].Detail, StringComparison.Ordinal);
        var pr = await WaitFinishedAsync(server, preview, TimeSpan.FromMinutes(2));
        Assert.Equal(DeploymentState.Cancelled, pr.State);
        Assert.Contains("previews are disabled for this app", pr.Events[^1].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(push.Events.Concat(pr.Events), e => e.To is DeploymentState.Scanning or DeploymentState.Building or DeploymentState.Deploying);
        var containers = await Support.Docker.RunAsync("ps", "-aq", "--filter", "label=io.deploymind.app=hello");
        Assert.Equal(string.Empty, containers.StandardOutput.Trim());
    }

    private static async Task<Guid> DeliverAsync(DeployMindServerFixture server, string action, string head)
    {
        var json = JsonNode.Parse(SignedDelivery.Fixture($"pull_request.{action}.json"))!;
        json["number"] = Number;
        json["repository"]!["full_name"] = "acme/hello";
        json["repository"]!["clone_url"] = "https://github.example.com/acme/hello.git";
        var pr = json["pull_request"]!;
        pr["number"] = Number;
        pr["head"]!["sha"] = head;
        pr["head"]!["ref"] = "changes";
        pr["head"]!["repo"]!["full_name"] = "acme/hello";
        var body = Encoding.UTF8.GetBytes(json.ToJsonString());
        using var response = await server.Client.SendAsync(SignedDelivery.Signed("pull_request", body, Secret));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, answer.ToJsonString());
        return Guid.Parse(answer["deploymentId"]!.GetValue<string>());
    }

    private static async Task<Deployment> WaitFinishedAsync(DeployMindServerFixture server, Guid id, TimeSpan limit)
    {
        var store = server.Get<IDeploymentStore>();
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var deployment = await store.GetAsync(id, CancellationToken.None);
            if (deployment is { IsFinished: true })
            {
                return deployment;
            }

            Assert.True(DateTime.UtcNow < until, $"deployment {id} not finished within {limit}: {deployment?.State}");
            await Task.Delay(500);
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_port}/");
        request.Headers.Host = $"{host}:{_port}";
        try
        {
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException ex)
        {
            return (HttpStatusCode.ServiceUnavailable, ex.Message);
        }
    }

    /// <summary>A bare repository with the Python example on main, and a branch "changes" with one more commit (its head).</summary>
    private async Task<(string Bare, string Head)> CreateRepositoryAsync(string? configuration = null)
    {
        var bare = Path.Combine(_work.Path, "hello.git");
        var tree = Path.Combine(_work.Path, "tree");
        Directory.CreateDirectory(tree);
        foreach (var file in Directory.EnumerateFiles(Repo.Example("python-stdlib")))
        {
            File.Copy(file, Path.Combine(tree, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(tree, "deploymind.yml"), configuration ?? $"""
            app: hello
            environments:
              production:
                branch: main
                target: {"{"} docker: {"{"} port: {_port} {"}"} {"}"}
                healthCheck: {"{"} path: /health, interval: 500ms, timeout: 2s, successes: 2, deadline: 90s {"}"}
                verify: {"{"} successes: 2, interval: 500ms, deadline: 30s {"}"}
              preview:
                target: {"{"} docker: {"{"} port: {_port} {"}"} {"}"}
                healthCheck: {"{"} path: /health, interval: 500ms, timeout: 2s, successes: 2, deadline: 90s {"}"}
                verify: {"{"} successes: 2, interval: 500ms, deadline: 30s {"}"}
            previews:
              domain: localhost
            """);
        await GitAsync(_work.Path, "init", "--bare", "--initial-branch=main", bare);
        await GitAsync(tree, "init", "--initial-branch=main");
        await GitAsync(tree, "add", ".");
        await GitAsync(tree, "-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-m", "initial");
        await GitAsync(tree, "push", bare, "main");
        await GitAsync(tree, "checkout", "-b", "changes");
        var app = Path.Combine(tree, "app.py");
        await File.WriteAllTextAsync(app, (await File.ReadAllTextAsync(app)).Replace("Hello from DeployMind", "Hello from DeployMind, preview build", StringComparison.Ordinal));
        await GitAsync(tree, "-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-am", "change the greeting");
        await GitAsync(tree, "push", bare, "changes");
        var head = (await GitAsync(tree, "rev-parse", "HEAD")).Trim();
        return (bare, head);
    }

    private static async Task<string> GitAsync(string folder, params string[] args)
    {
        var result = await Support.Docker.Runner.RunAsync(new CommandSpec("git", ["-C", folder, .. args]), null, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"git {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput;
    }
}
