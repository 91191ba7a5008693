namespace DeployMind.Infrastructure.Nginx;

/// <summary>The host's ledger of verified releases: one release id a line in <c>&lt;site&gt;.verified</c> beside the app's site.</summary>
internal sealed partial class NginxTrafficRouter
{
    /// <summary>How many verified releases the ledger keeps (far more than a host keeps containers).</summary>
    internal const int LedgerLength = 50;

    public async Task RecordVerifiedAsync(string app, string releaseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(releaseId);
        var layout = await GetLayoutAsync(cancellationToken);
        var known = await VerifiedAsync(app, cancellationToken);
        var ledger = known.Where(r => r != releaseId).Append(releaseId).TakeLast(LedgerLength);
        await WriteFileAsync(layout.VerifiedPath(app), string.Join('\n', ledger) + "\n", cancellationToken);
    }

    public async Task<IReadOnlyList<string>> VerifiedAsync(string app, CancellationToken cancellationToken)
    {
        var layout = await GetLayoutAsync(cancellationToken);
        var text = await ReadFileAsync(layout.VerifiedPath(app), cancellationToken);
        return text is null ? [] : [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
