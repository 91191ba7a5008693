using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Kubernetes;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>The adapter's operations one by one against the loopback API server (what the strategies build on).</summary>
public sealed class KubernetesClusterTests : IAsyncLifetime
{
    private KubernetesTestTarget _target = null!;
    private IKubernetesCluster _cluster = null!;

    private FakeKubernetesApiServer Server => _target.Server;

    public async Task InitializeAsync()
    {
        _target = await KubernetesTestTarget.StartAsync();
        _cluster = new KubernetesClusterFactory().Connect(_target.Options().ToSettings("k", 8080));
        var first = await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        Assert.True(first.Status == DeployStatus.Succeeded, first.Reason);
        Server.ClearCalls();
    }

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task Restart_StampsTheTemplate_AndTheControllerRollsANewRevision()
    {
        await _cluster.RestartAsync("shop", new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), CancellationToken.None);
        var rollout = await new KubernetesRollouts(TimeProvider.System).WaitAsync(
            _cluster, "shop", KubernetesNames.ReleaseSelector("shop", "r1"), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), NullDeployObserver.Instance, CancellationToken.None);

        Assert.True(rollout.Complete, rollout.Failure);
        Assert.Equal("PATCH deployments/shop (strategic, deploymind)", Server.Calls[0]);
        Assert.Equal("2026-11-27T12:00:00Z", Server.Get("deployments", "shop")!["spec"]!["template"]!["metadata"]!["annotations"]!["kubectl.kubernetes.io/restartedAt"]!.GetValue<string>());
        Assert.Equal([2L, 1L], (await _cluster.RevisionsAsync("shop", CancellationToken.None)).Select(r => r.Number));
    }

    [Fact]
    public async Task Scale_ThenRead_ReportsTheNewReplicas()
    {
        await _cluster.ScaleAsync("shop", 4, CancellationToken.None);
        var rollout = await new KubernetesRollouts(TimeProvider.System).WaitAsync(
            _cluster, "shop", KubernetesNames.ReleaseSelector("shop", "r1"), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), NullDeployObserver.Instance, CancellationToken.None);

        Assert.True(rollout.Complete, rollout.Failure);
        Assert.Equal((4, 4), (rollout.Last!.Replicas, rollout.Last.ReadyReplicas));
        Assert.Equal(["shop:1", "shop:1", "shop:1", "shop:1"], Server.PodImages("shop"));
    }

    [Fact]
    public async Task Reads_PodsLogsVersionAndAccess_MapTheApisAnswers()
    {
        Server.Denied.Add("delete deployments");

        var pods = await _cluster.ListPodsAsync(KubernetesNames.ReleaseSelector("shop", "r1"), CancellationToken.None);
        var logs = await _cluster.PodLogsAsync(pods[0].Name, 20, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal(("Running", true, 0), (p.Phase, p.Ready, p.Restarts)));
        Assert.Equal("r1", pods[0].Labels[KubernetesNames.ReleaseLabel]);
        Assert.Equal(["listening on :8080"], logs);
        Assert.Equal("v1.31.2", await _cluster.ServerVersionAsync(CancellationToken.None));
        Assert.True(await _cluster.CanAsync("patch", "apps", "deployments", null, CancellationToken.None));
        Assert.False(await _cluster.CanAsync("delete", "apps", "deployments", null, CancellationToken.None));
        Assert.Equal(["shop"], (await _cluster.GetServiceSelectorAsync("shop", CancellationToken.None))!.Values.Distinct());
        Assert.Null(await _cluster.GetDeploymentAsync("nothing", CancellationToken.None));
        Assert.Null(await _cluster.GetServiceSelectorAsync("nothing", CancellationToken.None));
    }

    [Fact]
    public async Task Delete_GoneAlready_IsNoError_AndRollbackToAMissingRevisionSaysWhatToDo()
    {
        await _cluster.DeleteDeploymentAsync("shop-canary", CancellationToken.None);

        var error = await Assert.ThrowsAsync<DeployMindException>(() => _cluster.RollbackAsync("shop", new KubernetesRevision(7, "shop-gone", "shop:0", "r0", null), CancellationToken.None));

        Assert.Contains("Revision 7 of shop is gone", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy that release again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_UnknownContext_SaysHowToListThem()
    {
        var settings = _target.Options(o => o.Context = "production").ToSettings("k", 8080);

        var error = Assert.Throws<DeployMindException>(() => new KubernetesClusterFactory().Connect(settings));

        Assert.Contains("with context 'production'", error.Message, StringComparison.Ordinal);
        Assert.Contains("kubectl config get-contexts", error.Message, StringComparison.Ordinal);
    }
}
