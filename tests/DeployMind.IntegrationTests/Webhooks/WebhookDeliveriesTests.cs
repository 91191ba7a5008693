using DeployMind.Application.Records;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>The delivery log on a real SQLite file: batched writes all land, listing waits for them, pruning keeps the recent ones.</summary>
public sealed class WebhookDeliveriesTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EfWebhookDeliveries _deliveries;

    public WebhookDeliveriesTests() =>
        _deliveries = new EfWebhookDeliveries(Options.Create(new DatabaseOptions { Path = Path.Combine(_folder.Path, "deploymind.db") }));

    public void Dispose()
    {
        _deliveries.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task ConcurrentRecords_AllLand_AndPruneDeletesOnlyTheOldOnes()
    {
        var now = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _deliveries.RecordAsync(
            new WebhookDelivery($"d-{i}", "push", null, "acme/shop", now - TimeSpan.FromDays(i % 2 == 0 ? 40 : 1), "ignored", "test", null), CancellationToken.None)));

        Assert.Equal(200, (await _deliveries.ListAsync(1000, CancellationToken.None)).Count);
        Assert.Equal(100, await _deliveries.PruneAsync(now - TimeSpan.FromDays(30), CancellationToken.None));
        var left = await _deliveries.ListAsync(1000, CancellationToken.None);
        Assert.Equal(100, left.Count);
        Assert.All(left, d => Assert.True(d.ReceivedAt > now - TimeSpan.FromDays(30)));
    }
}
