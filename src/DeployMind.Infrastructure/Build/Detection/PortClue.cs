namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>One port literal <see cref="PortFinder"/> found, and where.</summary>
/// <param name="Port">The port (1-65535).</param>
/// <param name="Location">"file:line" (or "package.json: scripts.start"), as shown in the evidence.</param>
/// <param name="Snippet">The line it is on, trimmed and shortened, so the evidence shows what was read.</param>
/// <param name="Listen">The literal reaches the call or setting the server listens on (not merely a <c>PORT</c> default somewhere).</param>
internal sealed record PortClue(int Port, string Location, string Snippet, bool Listen)
{
    /// <summary>"port 5000 from server.js:12 (app.listen(5000))".</summary>
    public override string ToString() => $"port {Port} from {Location} ({Snippet})";
}
