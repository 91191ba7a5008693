namespace DeployMind.Application.Deploy.Hosts;

/// <summary>
/// The traffic router in front of an app's containers on one host (nginx): an upstream of weighted servers and an
/// access log that says, per upstream, how many requests were served, how many failed and how fast.
/// </summary>
public interface ITrafficRouter
{
    /// <summary>
    /// Makes <paramref name="route"/> the app's routing: the new configuration is validated before it is loaded
    /// (gracefully, without dropping connections); an invalid one never replaces the working one.
    /// </summary>
    /// <exception cref="RouterConfigurationException">The router rejected the configuration; the message quotes it.</exception>
    Task ApplyAsync(RouteSpec route, CancellationToken cancellationToken);

    /// <summary>The app's current routing, or null when it has none on this host.</summary>
    Task<RouteSpec?> GetAsync(string app, CancellationToken cancellationToken);

    /// <summary>Removes the app's routing (its site), validated and reloaded like <see cref="ApplyAsync"/>.</summary>
    Task RemoveAsync(string app, CancellationToken cancellationToken);

    /// <summary>Per-upstream request figures from the app's access log for requests that ended in [from, to).</summary>
    Task<TrafficWindow> ReadTrafficAsync(string app, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// Per-upstream figures of the probe requests alone (those with <see cref="RouteSpec.ProbeMarker"/>, which
    /// <see cref="ReadTrafficAsync"/> leaves out) that ended in [from, to). A router that cannot tell them apart has none.
    /// </summary>
    Task<TrafficWindow> ReadProbeTrafficAsync(string app, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult(new TrafficWindow(from, to, new Dictionary<string, UpstreamStats>()));

    /// <summary>
    /// Notes on the host that <paramref name="releaseId"/> of <paramref name="app"/> served and was verified: the host's own
    /// ledger, which a rollback reads when the deployment records are gone (a release that never served is never in it).
    /// </summary>
    Task RecordVerifiedAsync(string app, string releaseId, CancellationToken cancellationToken);

    /// <summary>The releases of <paramref name="app"/> the host noted as verified (<see cref="RecordVerifiedAsync"/>), oldest first.</summary>
    Task<IReadOnlyList<string>> VerifiedAsync(string app, CancellationToken cancellationToken);

    /// <summary>
    /// Whether every request the router took under the configuration its last switch replaced has finished, so that a
    /// container only that configuration sent traffic to may stop now (nginx: the workers of the replaced configuration,
    /// which finish their in-flight requests before they exit, are all gone). False while one may still run, and whenever
    /// the router cannot tell: then the whole drain is waited.
    /// </summary>
    Task<bool> DrainedAsync(CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// Makes sure the app has a certificate for <paramref name="domains"/> from <paramref name="tls"/>'s source before a
    /// site needs it: ACME issues one (HTTP-01 through the router) unless a valid one covering them exists and does not
    /// expire within <see cref="SiteTls.RenewBefore"/> (<paramref name="force"/>: issue anyway); files are checked. Nothing
    /// served changes: the router's sites are reloaded only to answer the challenge.
    /// </summary>
    /// <exception cref="CertificateException">No certificate (a domain does not point at the host, the CA refused, …).</exception>
    Task<CertificateInfo> EnsureCertificateAsync(string app, IReadOnlyList<string> domains, SiteTls tls, bool force, CancellationToken cancellationToken) =>
        throw new CertificateException($"This router cannot serve certificates (app '{app}').");

    /// <summary>The certificates of the router's sites that serve domains over HTTPS.</summary>
    Task<IReadOnlyList<CertificateInfo>> CertificatesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CertificateInfo>>([]);

    /// <summary>
    /// Renews the ACME certificates of the router's sites that are due (<paramref name="force"/>: all of them; or only
    /// <paramref name="app"/>'s), each loaded by a tested reload; one app's failure leaves its old certificate and the
    /// other apps serving.
    /// </summary>
    Task<IReadOnlyList<CertificateRenewal>> RenewCertificatesAsync(bool force, string? app, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CertificateRenewal>>([]);
}

/// <summary>How an app's traffic is routed on a host.</summary>
/// <param name="App">The app name (letters, digits, '-', '_'; it names the site and its log).</param>
/// <param name="ListenPort">The port the router listens on for this app (on 127.0.0.1 unless configured otherwise).</param>
/// <param name="Servers">The upstream servers; weights are relative (e.g. 90 and 10).</param>
public sealed record RouteSpec(string App, int ListenPort, IReadOnlyList<UpstreamServer> Servers)
{
    /// <summary>A server name to match (e.g. "pr-12.preview.example.com"); null for any.</summary>
    public string? ServerName { get; init; }

    /// <summary>
    /// The public names the app is also served at, by name on the router's shared HTTP (and HTTPS) ports; empty: only
    /// <see cref="ListenPort"/>, as before domains existed.
    /// </summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>HTTPS for <see cref="Domains"/>; null: HTTP only.</summary>
    public SiteTls? Tls { get; init; }

    /// <summary>
    /// While a canary sends probe traffic: the value of the <see cref="ProbeHeader"/> header that marks its requests (a
    /// random token per deployment, so users cannot mark theirs). The router logs marked requests apart from users' ones.
    /// Null: no probes, one log. Not part of the route read back from the host.
    /// </summary>
    public string? ProbeMarker { get; init; }

    /// <summary>The header probe requests carry <see cref="ProbeMarker"/> in.</summary>
    public const string ProbeHeader = "X-DeployMind-Probe";
}

/// <summary>One upstream server.</summary>
/// <param name="Address">host:port, e.g. "127.0.0.1:41234".</param>
/// <param name="Weight">Relative weight, 1 or more (a server with no traffic is left out instead of weighted 0).</param>
/// <param name="Label">What it is, for logs and reports: a release id or a colour.</param>
public sealed record UpstreamServer(string Address, int Weight, string Label);

/// <summary>Traffic figures for a time window.</summary>
public sealed record TrafficWindow(DateTimeOffset From, DateTimeOffset To, IReadOnlyDictionary<string, UpstreamStats> ByUpstream)
{
    /// <summary>
    /// What the figures are known to miss, in words (e.g. a log truncated between two reads); empty when they cover the
    /// whole window. A decision on the figures says these.
    /// </summary>
    public IReadOnlyList<string> Gaps { get; init; } = [];

    public int TotalRequests => ByUpstream.Values.Sum(s => s.Requests);

    public UpstreamStats For(string address) => ByUpstream.TryGetValue(address, out var stats) ? stats : UpstreamStats.Empty;
}

/// <summary>Requests served by one upstream in a window.</summary>
/// <param name="Requests">Requests answered.</param>
/// <param name="ServerErrors">Answers with a 5xx status (including the router's own 502/504 for that upstream).</param>
/// <param name="P95Milliseconds">95th percentile of upstream response time, in ms (0 without requests).</param>
public sealed record UpstreamStats(int Requests, int ServerErrors, double P95Milliseconds)
{
    public static UpstreamStats Empty { get; } = new(0, 0, 0);

    /// <summary>
    /// The response times behind <see cref="P95Milliseconds"/>, binned, for comparing canary with stable; null where the
    /// source has none. Not serialized: the comparison's figures are kept instead.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Analysis.LatencyHistogram? Latencies { get; init; }

    /// <summary>Equal counts and p95 (the binned response times are a detail behind them, not compared).</summary>
    public bool Equals(UpstreamStats? other) =>
        other is not null && Requests == other.Requests && ServerErrors == other.ServerErrors && P95Milliseconds.Equals(other.P95Milliseconds);

    public override int GetHashCode() => HashCode.Combine(Requests, ServerErrors, P95Milliseconds);

    public double ErrorRate => Requests == 0 ? 0 : (double)ServerErrors / Requests;
}
