using DeployMind.Application.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// <see cref="IWebhookDeliveries"/> in the deployment database (table <c>webhook_deliveries</c>). Deliveries are written
/// in batches by one writer (one transaction for whatever arrived meanwhile): under a burst of webhooks the delivery
/// log costs one commit per batch, not one per request. <see cref="ListAsync"/> first waits for what is pending.
/// </summary>
internal sealed class EfWebhookDeliveries : IWebhookDeliveries, IDisposable
{
    private readonly DeployMindDatabase _database;
    private readonly bool _ownsDatabase;

    public EfWebhookDeliveries(IOptions<DatabaseOptions> options)
        : this(new DeployMindDatabase((options ?? throw new ArgumentNullException(nameof(options))).Value), owns: true)
    {
    }

    /// <param name="database">The process's database (shared; not disposed with this unless <paramref name="owns"/>).</param>
    /// <param name="owns">Dispose the database with this.</param>
    internal EfWebhookDeliveries(DeployMindDatabase database, bool owns = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _ownsDatabase = owns;
    }

    public Task RecordAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var row = Row(delivery);
        return _database.WriteBatchedAsync(
            async batch =>
            {
                await batch.InsertAsync(row);
                return true;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await _database.BatchedWritesIdleAsync(cancellationToken);
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var rows = await db.WebhookDeliveries.AsNoTracking().OrderByDescending(w => w.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new WebhookDelivery(
            r.DeliveryId, r.Event, r.Action, r.Repository, DateTimeOffset.FromUnixTimeMilliseconds(r.ReceivedAtMs), r.Result, r.Detail,
            r.DeploymentId is null ? null : Guid.Parse(r.DeploymentId)))];
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var limit = before.ToUnixTimeMilliseconds();
        return await db.WebhookDeliveries.Where(w => w.ReceivedAtMs < limit).ExecuteDeleteAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    private static WebhookDeliveryRow Row(WebhookDelivery delivery) => new()
    {
        DeliveryId = Cut(delivery.DeliveryId, 100),
        Event = Cut(delivery.Event, 100),
        Action = delivery.Action is null ? null : Cut(delivery.Action, 100),
        Repository = delivery.Repository is null ? null : Cut(delivery.Repository, 300),
        ReceivedAtMs = delivery.ReceivedAt.ToUnixTimeMilliseconds(),
        Result = Cut(delivery.Result, 16),
        Detail = Cut(delivery.Detail, 1000),
        DeploymentId = delivery.DeploymentId?.ToString("D"),
    };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}
