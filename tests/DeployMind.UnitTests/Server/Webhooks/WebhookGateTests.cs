using DeployMind.Server;
using DeployMind.Server.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Server.Webhooks;

public sealed class WebhookGateTests
{
    [Fact]
    public async Task EnterAsync_PastTheTurnsAndTheQueue_IsRefused_AndRefusalsAreReportedAtMostEveryInterval()
    {
        var time = new FakeTimeProvider();
        using var gate = new WebhookGate(new ServerLimits { WebhookConcurrency = 1, WebhookQueue = 1, WebhookQueueWait = TimeSpan.FromMinutes(1) }, time);

        var first = await gate.EnterAsync(CancellationToken.None);
        Assert.NotNull(first);
        var queued = gate.EnterAsync(CancellationToken.None);
        Assert.False(queued.IsCompleted);
        Assert.Null(await gate.EnterAsync(CancellationToken.None));
        Assert.Null(await gate.EnterAsync(CancellationToken.None));

        Assert.Equal(2, gate.TakeReport());
        Assert.Null(await gate.EnterAsync(CancellationToken.None));
        Assert.Null(gate.TakeReport());
        time.Advance(WebhookGate.ReportInterval);
        Assert.Equal(1, gate.TakeReport());

        // The waiting one gets the turn when it is given back.
        first.Dispose();
        using var second = await queued.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(second);
        Assert.Null(gate.TakeReport());
    }

    [Fact]
    public void EnterStore_PastTheVerifiedDeliveriesStoredAtOnce_IsRefusedAtOnce_AndCounted()
    {
        var time = new FakeTimeProvider();
        using var gate = new WebhookGate(new ServerLimits { WebhookStoring = 2 }, time);

        var first = gate.EnterStore();
        using var second = gate.EnterStore();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(gate.EnterStore());
        Assert.Equal(1, gate.TakeReport());

        first.Dispose();
        using var third = gate.EnterStore();
        Assert.NotNull(third);
    }

    [Fact]
    public async Task ATurnGivenBackTwice_IsGivenBackOnce()
    {
        // The endpoint gives its reading turn back after the signature check and again when the request ends.
        using var gate = new WebhookGate(new ServerLimits { WebhookConcurrency = 1, WebhookQueue = 1, WebhookQueueWait = TimeSpan.FromMinutes(1) }, new FakeTimeProvider());

        var turn = await gate.EnterAsync(CancellationToken.None);
        turn!.Dispose();
        turn.Dispose();

        using var next = await gate.EnterAsync(CancellationToken.None);
        Assert.NotNull(next);
        var after = gate.EnterAsync(CancellationToken.None);
        Assert.False(after.IsCompleted);
        next!.Dispose();
        using var last = await after.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(last);
    }
}
