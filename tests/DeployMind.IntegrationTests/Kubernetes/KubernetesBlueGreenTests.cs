using DeployMind.Domain.Deploy;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>Blue-green on Kubernetes against the loopback API server: two Deployments by colour, the Service's selector switched.</summary>
public sealed class KubernetesBlueGreenTests : IAsyncLifetime
{
    private const string BlueSelector = """{"app.kubernetes.io/instance":"shop","app.kubernetes.io/name":"shop","deploymind.dev/colour":"blue"}""";
    private const string GreenSelector = """{"app.kubernetes.io/instance":"shop","app.kubernetes.io/name":"shop","deploymind.dev/colour":"green"}""";
    private KubernetesTestTarget _target = null!;

    private FakeKubernetesApiServer Server => _target.Server;

    public async Task InitializeAsync()
    {
        _target = await KubernetesTestTarget.StartAsync();
        var first = await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.BlueGreen);
        Assert.True(first.Status == DeployStatus.Succeeded, first.Reason);
        Assert.Equal(BlueSelector, Selector());
        Server.ClearCalls();
    }

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task BlueGreen_NewRelease_SwitchesTheSelectorOnceReadyAndScalesTheOldColourToZeroAfterTheWindow()
    {
        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.BlueGreen);

        Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        Assert.Equal(
            [
                "GET services/shop",
                "GET deployments/shop-blue",
                "PATCH deployments/shop-green (apply, deploymind)",
                "PATCH deployments/shop-green/scale (merge, deploymind)",
                "GET deployments/shop-green",
                "GET pods?app.kubernetes.io/instance=shop,deploymind.dev/release=r2",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH poddisruptionbudgets/shop (apply, deploymind)",
                "GET pods?app.kubernetes.io/instance=shop,deploymind.dev/release=r2",
                "PATCH deployments/shop-blue/scale (merge, deploymind)",
            ],
            Server.CallSequence());
        Assert.Equal(GreenSelector, Selector());
        Assert.Equal("shop-green", Server.Get("horizontalpodautoscalers", "shop")!["spec"]!["scaleTargetRef"]!["name"]!.GetValue<string>());
        Assert.Equal(["shop:2", "shop:2"], Server.PodImages("shop-green"));
        Assert.Equal("0", Server.Get("deployments", "shop-blue")!["spec"]!["replicas"]!.ToJsonString());
    }

    [Fact]
    public async Task BlueGreen_NewColourRestartsInTheWindow_SwitchesBackAtOnce()
    {
        Server.RestartingImages.Add("shop:2");

        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.BlueGreen);

        Assert.True(outcome.Status == DeployStatus.RolledBack, outcome.Reason);
        Assert.Contains("misbehaved in the observation window", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("back on blue", outcome.Reason, StringComparison.Ordinal);
        var writes = Server.Calls.Where(c => !c.StartsWith("GET", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "PATCH deployments/shop-green (apply, deploymind)",
                "PATCH deployments/shop-green/scale (merge, deploymind)",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH poddisruptionbudgets/shop (apply, deploymind)",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH deployments/shop-green/scale (merge, deploymind)",
            ],
            writes);
        Assert.Equal(BlueSelector, Selector());
        Assert.Equal("0", Server.Get("deployments", "shop-green")!["spec"]!["replicas"]!.ToJsonString());
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop-blue"));
    }

    [Fact]
    public async Task BlueGreen_NewColourNeverReady_TheServiceNeverMoves()
    {
        Server.NeverReadyImages.Add("shop:2");

        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.BlueGreen);

        Assert.True(outcome.Status == DeployStatus.Failed, outcome.Reason);
        Assert.Contains("ProgressDeadlineExceeded", outcome.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Calls, c => c.StartsWith("PATCH services", StringComparison.Ordinal));
        Assert.Equal(BlueSelector, Selector());
        Assert.Equal("0", Server.Get("deployments", "shop-green")!["spec"]!["replicas"]!.ToJsonString());
    }

    [Fact]
    public async Task Rollback_BlueGreen_ScalesTheIdleColourUpAndSwitchesTheServiceBack()
    {
        await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.BlueGreen);
        Server.ClearCalls();

        var (release, outcome) = await _target.Deployer.RollbackAsync(_target.Request("rollback", "rollback"), _target.Observer(), CancellationToken.None);

        Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        Assert.Equal(("r1", "shop:1"), (release.ReleaseId, release.Image));
        Assert.Equal(
            [
                "GET services/shop",
                "GET deployments/shop-blue",
                "GET deployments/shop-green",
                "PATCH deployments/shop-blue/scale (merge, deploymind)",
                "GET deployments/shop-blue",
                "GET pods?app.kubernetes.io/instance=shop,deploymind.dev/release=r1",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH deployments/shop-green/scale (merge, deploymind)",
            ],
            Server.CallSequence());
        Assert.Equal(BlueSelector, Selector());
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop-blue"));
        Assert.Empty(Server.PodImages("shop-green"));
    }

    private string Selector() => Server.Get("services", "shop")!["spec"]!["selector"]!.ToJsonString();
}
