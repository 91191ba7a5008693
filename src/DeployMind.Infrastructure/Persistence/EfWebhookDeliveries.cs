using DeployMind.Application.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Persistence;

/// <summary><see cref="IWebhookDeliveries"/> in the deployment database (table <c>webhook_deliveries</c>).</summary>
internal sealed class EfWebhookDeliveries : IWebhookDeliveries, IDisposable
{
    private readonly DeployMindDatabase _database;

    public EfWebhookDeliveries(IOptions<DatabaseOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = new DeployMindDatabase(options.Value);
    }

    public async Task RecordAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        db.WebhookDeliveries.Add(new WebhookDeliveryRow
        {
            DeliveryId = Cut(delivery.DeliveryId, 100),
            Event = Cut(delivery.Event, 100),
            Action = delivery.Action is null ? null : Cut(delivery.Action, 100),
            Repository = delivery.Repository is null ? null : Cut(delivery.Repository, 300),
            ReceivedAtMs = delivery.ReceivedAt.ToUnixTimeMilliseconds(),
            Result = Cut(delivery.Result, 16),
            Detail = Cut(delivery.Detail, 1000),
            DeploymentId = delivery.DeploymentId?.ToString("D"),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var rows = await db.WebhookDeliveries.AsNoTracking().OrderByDescending(w => w.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new WebhookDelivery(
            r.DeliveryId, r.Event, r.Action, r.Repository, DateTimeOffset.FromUnixTimeMilliseconds(r.ReceivedAtMs), r.Result, r.Detail,
            r.DeploymentId is null ? null : Guid.Parse(r.DeploymentId)))];
    }

    public void Dispose() => _database.Dispose();

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}
