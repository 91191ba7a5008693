using System.Text.Json.Nodes;
using DeployMind.Domain.Deploy;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>Rolling deploys and rollbacks against the loopback API server: the exact API calls and the end state.</summary>
public sealed class KubernetesRollingTests : IAsyncLifetime
{
    private const string Pods1 = "GET pods?app.kubernetes.io/instance=shop,deploymind.dev/release=r1";
    private const string Pods2 = "GET pods?app.kubernetes.io/instance=shop,deploymind.dev/release=r2";
    private KubernetesTestTarget _target = null!;

    private FakeKubernetesApiServer Server => _target.Server;

    public async Task InitializeAsync() => _target = await KubernetesTestTarget.StartAsync();

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task Rolling_FirstRelease_AppliesEveryObjectScalesAndWaitsForTheRollout()
    {
        var outcome = await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        Assert.Equal(["k8s test/shop"], outcome.HostsSwitched);
        Assert.Equal("2/2 checks passed", outcome.Health!.Summary);
        Assert.Equal(
            [
                "GET deployments/shop",
                "PATCH deployments/shop (apply, deploymind)",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH poddisruptionbudgets/shop (apply, deploymind)",
                "PATCH deployments/shop/scale (merge, deploymind)",
                "GET deployments/shop",
                Pods1,
            ],
            Server.CallSequence());
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop"));
        Assert.Empty(_target.Publisher.Pushed);
        var service = Server.Get("services", "shop")!;
        Assert.Equal("""{"app.kubernetes.io/instance":"shop","app.kubernetes.io/name":"shop"}""", service["spec"]!["selector"]!.ToJsonString());
        Assert.Equal("shop", Server.Get("horizontalpodautoscalers", "shop")!["spec"]!["scaleTargetRef"]!["name"]!.GetValue<string>());
        Assert.All(new[] { "deployments", "services", "horizontalpodautoscalers", "poddisruptionbudgets" }, r => Assert.Equal("deploymind", Server.ManagerOf(r, "shop")));
    }

    [Fact]
    public async Task Rolling_NewRelease_RollsTheTemplateWithoutRescaling()
    {
        await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        Server.ClearCalls();

        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        Assert.Equal(
            [
                "GET deployments/shop",
                "PATCH deployments/shop (apply, deploymind)",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH poddisruptionbudgets/shop (apply, deploymind)",
                "GET deployments/shop",
                Pods2,
            ],
            Server.CallSequence());
        Assert.Equal(["shop:2", "shop:2"], Server.PodImages("shop"));
        Assert.Equal("2", Server.Get("deployments", "shop")!["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rolling_WithARegistry_PushesTheImageAndTheClusterPullsThePushedNameAlsoOnRollback()
    {
        const string Registry = "registry.example.com/team";
        await _target.DeployAsync(_target.Request("r1", "shop:1", o => o.Registry = Registry), StrategyKind.Rolling);
        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2", o => o.Registry = Registry), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        Assert.Equal([$"{Registry}/shop:1", $"{Registry}/shop:2"], _target.Publisher.Pushed);
        Assert.Equal([$"{Registry}/shop:2", $"{Registry}/shop:2"], Server.PodImages("shop"));

        // A rollback to a recorded release (its built image name) finds it in the cluster under the registry's name.
        Server.ClearCalls();
        var back = await _target.Deployer.RollbackToAsync(
            _target.Request("r1", "shop:1", o => o.Registry = Registry), new Application.Deploy.ReleaseSpec("shop", "r1", "shop:1", null), _target.Observer(), CancellationToken.None);

        Assert.True(back.Status == DeployStatus.Succeeded, back.Reason);
        Assert.Contains(Server.Calls, c => c.StartsWith("GET replicasets", StringComparison.Ordinal));
        Assert.Equal([$"{Registry}/shop:1", $"{Registry}/shop:1"], Server.PodImages("shop"));
        Assert.Equal(2, _target.Publisher.Pushed.Count);
    }

    [Fact]
    public async Task Rolling_ReplicasChanged_ScalesOnlyWhenNoAutoscalerOwnsThem()
    {
        await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        Server.ClearCalls();
        await _target.DeployAsync(_target.Request("r2", "shop:2", o => o.Replicas = 3), StrategyKind.Rolling);
        Assert.DoesNotContain(Server.Calls, c => c.StartsWith("PATCH deployments/shop/scale", StringComparison.Ordinal)); // the autoscaler owns them
        Server.ClearCalls();

        var outcome = await _target.DeployAsync(_target.Request("r3", "shop:3", o => (o.Replicas, o.Autoscaling.Enabled) = (3, false)), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        Assert.Single(Server.Calls, "PATCH deployments/shop/scale (merge, deploymind)");
        Assert.Equal(["shop:3", "shop:3", "shop:3"], Server.PodImages("shop"));
    }

    [Fact]
    public async Task Rolling_CrashLoop_FailsWithEventsAndLogsAndGoesBackToThePreviousRevision()
    {
        await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        Server.CrashingImages.Add("shop:2");
        Server.ClearCalls();

        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Failed, $"{outcome.Status}: {outcome.Reason}");
        Assert.Contains("CrashLoopBackOff", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("BackOff: Back-off restarting failed container app", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("panic: cannot connect to the database", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("back on revision 1 (r1)", outcome.Reason, StringComparison.Ordinal);
        var pod = Server.Calls.First(c => c.Contains("/log", StringComparison.Ordinal)).Split(' ')[1].Split('/')[1];
        Assert.Equal(
            [
                "GET deployments/shop",
                "PATCH deployments/shop (apply, deploymind)",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH poddisruptionbudgets/shop (apply, deploymind)",
                "GET deployments/shop",
                Pods2,
                "GET events?involvedObject.name=shop",
                $"GET events?involvedObject.name={pod}",
                $"GET pods/{pod}/log",
                "GET replicasets?app.kubernetes.io/instance=shop,app.kubernetes.io/name=shop,deploymind.dev/track=stable",
                "PATCH deployments/shop (apply, deploymind)",
                "GET deployments/shop",
                Pods1,
            ],
            Server.CallSequence());

        // The previous revision is back on the Deployment: its ReplicaSet again, its pods only (maxUnavailable 0 kept them serving).
        var deployment = Server.Get("deployments", "shop")!;
        Assert.Equal("shop:1", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop"));
    }

    [Fact]
    public async Task Rolling_PodsNeverReady_FailsOnProgressDeadlineExceeded()
    {
        Server.NeverReadyImages.Add("shop:1");

        var outcome = await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Failed, $"{outcome.Status}: {outcome.Reason}");
        Assert.Contains("ProgressDeadlineExceeded", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("Readiness probe failed", outcome.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("back on revision", outcome.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Calls, c => c.StartsWith("GET replicasets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_ObjectOwnedByAnotherManager_ReportsTheConflictAndNeverForces()
    {
        await SeedAsync("deployments", "shop", "kubectl");

        var outcome = await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Failed, $"{outcome.Status}: {outcome.Reason}");
        Assert.Contains("conflicts with another field manager", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("conflict with \"kubectl\"", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("--force-conflicts --field-manager=deploymind", outcome.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Calls, c => c.Contains("force", StringComparison.Ordinal) && c.StartsWith("PATCH", StringComparison.Ordinal) && c.EndsWith("force)", StringComparison.Ordinal));
        Assert.Equal("kubectl", Server.ManagerOf("deployments", "shop"));
    }

    [Fact]
    public async Task Rollback_ToThePreviousRevision_PutsItsTemplateBack()
    {
        await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Rolling);
        Server.ClearCalls();

        var (release, outcome) = await _target.Deployer.RollbackAsync(_target.Request("rollback", "rollback"), _target.Observer(), CancellationToken.None);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        Assert.Equal(("r1", "shop:1", "abc123"), (release.ReleaseId, release.Image, release.Commit));
        Assert.Equal(
            [
                "GET services/shop",
                "GET deployments/shop",
                "GET replicasets?app.kubernetes.io/instance=shop,app.kubernetes.io/name=shop,deploymind.dev/track=stable",
                "PATCH deployments/shop (apply, deploymind)",
                "GET deployments/shop",
                Pods1,
            ],
            Server.CallSequence());
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop"));
        Assert.Equal("3", Server.Get("deployments", "shop")!["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
    }

    [Fact]
    public async Task RollbackTo_RecordedReleaseStillARevision_TakesTheFastPath()
    {
        await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Rolling);
        Server.ClearCalls();

        var target = new Application.Deploy.ReleaseSpec("shop", "r1", "shop:1", "abc123");
        var outcome = await _target.Deployer.RollbackToAsync(_target.Request("r1", "shop:1"), target, _target.Observer(), CancellationToken.None);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        Assert.DoesNotContain(Server.Calls, c => c.StartsWith("PATCH services", StringComparison.Ordinal));
        Assert.Single(Server.Calls, c => c.StartsWith("PATCH deployments/shop (apply", StringComparison.Ordinal));
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop"));
    }

    private async Task SeedAsync(string resource, string name, string manager)
    {
        using var http = new HttpClient { BaseAddress = Server.Url };
        var body = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "other:1" }) },
                },
            },
        };
        using var content = new StringContent(body.ToJsonString());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await http.PatchAsync(new Uri($"/apis/apps/v1/namespaces/shop/{resource}/{name}?fieldManager={manager}", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        Server.ClearCalls();
    }
}
