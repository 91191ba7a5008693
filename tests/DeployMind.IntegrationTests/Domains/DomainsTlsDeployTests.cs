using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Domains;

/// <summary>
/// Apps served by name on one host's shared ports with certificates from a real ACME server (pebble on loopback, its
/// DNS from pebble-challtestsrv): issued over HTTP-01 through the apps' own nginx sites, renewed under load, and a
/// domain that does not point at the host refused before anything switches.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class DomainsTlsDeployTests : IClassFixture<DomainsFixture>, IAsyncLifetime
{
    private readonly DomainsFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _apps = [];
    private readonly List<string> _names = [];

    public DomainsTlsDeployTests(DomainsFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await _fixture.CleanAsync(app);
        }

        foreach (var name in _names)
        {
            await Pebble.RemoveHostAsync(name);
        }
    }

    [Fact]
    public async Task Deploy_TwoAppsWithOwnDomains_EachServedOverHttpsByNameWithPebbleCertificate()
    {
        var (shop, shopName) = await AppAsync("shop", resolves: true);
        var (blog, blogName) = await AppAsync("blog", resolves: true);

        var first = await _fixture.DeployAsync(_fixture.Request(shop, "shop-v1", Docker.FreePort(), shopName));
        var second = await _fixture.DeployAsync(_fixture.Request(blog, "blog-v1", Docker.FreePort(), blogName));

        Assert.True(first.Status == DeployStatus.Succeeded, first.Reason);
        Assert.True(second.Status == DeployStatus.Succeeded, second.Reason);
        var serials = new ConcurrentBag<string>();
        using var https = Pebble.HttpsClient(_fixture.Root, serials.Add);
        using (var response = await https.GetAsync(Url(shopName)))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"version\":\"shop-v1\"", body, StringComparison.Ordinal);
            Assert.Equal("max-age=86400", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        }

        Assert.Contains("\"version\":\"blog-v1\"", await https.GetStringAsync(Url(blogName)), StringComparison.Ordinal);
        Assert.Equal(2, serials.Distinct().Count());

        // Plain HTTP by name: a permanent redirect to the same name over HTTPS.
        using var http = Pebble.HttpsClient(_fixture.Root);
        using (var redirect = await http.GetAsync(new Uri($"http://{shopName}:{Pebble.HttpPort}/health")))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal(new Uri($"https://{shopName}:{Pebble.HttpsPort}/health"), redirect.Headers.Location);
        }

        // The certificates list of the host, and the key and account kept private.
        var certificates = await _fixture.LocalHost.Router.CertificatesAsync(CancellationToken.None);
        var listed = Assert.Single(certificates, c => c.App == shop);
        Assert.Equal([shopName], listed.Names);
        Assert.InRange(listed.NotAfter!.Value, DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddYears(10));
        var acme = Path.Combine(_fixture.TlsDirectory, "acme");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(acme));
        var key = new FileInfo(Path.Combine(acme, "live", shop, "privkey.pem")).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));

        // Each app's own port works as before (DeployMind's checks use it).
        Assert.False(File.Exists(Path.Combine(_fixture.NginxPrefix, "conf", "sites", shop + ".acme.conf")));
    }

    [Fact]
    public async Task RenewCertificates_UnderHttpsLoad_ReplacesCertificateWithoutAFailedRequest()
    {
        var (shop, shopName) = await AppAsync("renew", resolves: true);
        Succeeded(await _fixture.DeployAsync(_fixture.Request(shop, "renew-v1", Docker.FreePort(), shopName)));
        var before = Assert.Single(await _fixture.LocalHost.Router.CertificatesAsync(CancellationToken.None), c => c.App == shop);
        string? initial = null;
        using (var first = Pebble.HttpsClient(_fixture.Root, s => initial = s))
        {
            Assert.Contains("\"version\":\"renew-v1\"", await first.GetStringAsync(Url(shopName)), StringComparison.Ordinal);
        }

        var serials = new ConcurrentDictionary<string, int>();
        using var https = Pebble.HttpsClient(_fixture.Root, s => serials.AddOrUpdate(s, 1, (_, n) => n + 1));
        var (requests, failures, samples, renewals) = await UnderLoadAsync(https, Url(shopName), () => _fixture.LocalHost.Router.RenewCertificatesAsync(force: true, shop, CancellationToken.None));

        _output.WriteLine($"{requests} requests, {failures} failed; certificates seen: {string.Join(", ", serials.Select(kv => $"{kv.Key} x{kv.Value}"))}; renewal: {string.Join("; ", renewals.Select(r => $"{r.App} {r.Outcome} {r.Detail}"))}");
        var renewal = Assert.Single(renewals);
        Assert.Equal("renewed", renewal.Outcome);
        Assert.True(failures == 0, $"{failures} of {requests} requests failed: {string.Join(" | ", samples)}");
        Assert.True(requests >= 20, $"only {requests} requests");

        // The load saw the old certificate, then the new one; a new connection now gets the new one.
        string? last = null;
        using (var probe = Pebble.HttpsClient(_fixture.Root, s => last = s))
        {
            Assert.Contains("\"version\":\"renew-v1\"", await probe.GetStringAsync(Url(shopName)), StringComparison.Ordinal);
        }

        Assert.NotNull(initial);
        Assert.NotNull(last);
        Assert.NotEqual(initial, last);
        Assert.Equal(new[] { initial, last }.Order(StringComparer.Ordinal), serials.Keys.Order(StringComparer.Ordinal));
        var after = Assert.Single(await _fixture.LocalHost.Router.CertificatesAsync(CancellationToken.None), c => c.App == shop);
        Assert.True(after.NotAfter >= before.NotAfter);
    }

    [Fact]
    public async Task Deploy_DomainNotPointingAtHost_FailsClearlyAndTheOtherAppKeepsServing()
    {
        var (shop, shopName) = await AppAsync("good", resolves: true);
        var (lost, lostName) = await AppAsync("lost", resolves: false);
        Succeeded(await _fixture.DeployAsync(_fixture.Request(shop, "good-v1", Docker.FreePort(), shopName)));

        using var https = Pebble.HttpsClient(_fixture.Root);
        var error = (CertificateException?)null;
        var (requests, failures, samples, _) = await UnderLoadAsync(https, Url(shopName), async () =>
        {
            error = await Assert.ThrowsAsync<CertificateException>(() => _fixture.DeployAsync(_fixture.Request(lost, "lost-v1", Docker.FreePort(), lostName)));
            return [];
        });

        _output.WriteLine(error!.Message);
        _output.WriteLine($"{requests} requests to {shopName}, {failures} failed");
        Assert.Contains($"{lostName} does not point at", error.Message, StringComparison.Ordinal);
        Assert.Contains("The previous release and the other apps keep serving", error.Message, StringComparison.Ordinal);
        Assert.True(failures == 0, $"{failures} of {requests} requests failed: {string.Join(" | ", samples)}");
        Assert.True(requests >= 5, $"only {requests} requests");
        Assert.Empty(await _fixture.LocalHost.Runtime.ListAsync(lost, CancellationToken.None));
        Assert.Null(await _fixture.LocalHost.Router.GetAsync(lost, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_fixture.NginxPrefix, "conf", "sites"), lost + "*"));
        Assert.Contains("\"version\":\"good-v1\"", await https.GetStringAsync(Url(shopName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckDomains_ServedResolvingAndUnresolvedNames_ReportsResolutionReachabilityAndCertificate()
    {
        // "localhost" is the one name this host resolves (to 127.0.0.1, where the shared HTTP port listens): served by name, HTTP only.
        var app = $"dmcheck{_id}";
        _apps.Add(app);
        var lost = $"nowhere-{_id}.test";
        var request = _fixture.Request(app, "check-v1", Docker.FreePort(), "localhost") with { Tls = null };
        Succeeded(await _fixture.DeployAsync(request));
        var router = (Infrastructure.Nginx.NginxTrafficRouter)_fixture.LocalHost.Router;
        var acme = new SiteTls { Source = TlsSource.Acme, Acme = new AcmeAccount(Pebble.Directory, null) };

        var results = await router.CheckDomainsAsync("local", app, ["localhost", lost], acme, CancellationToken.None);

        foreach (var result in results)
        {
            _output.WriteLine($"{(result.Passed ? result.Warning ? "warn" : "ok" : "FAIL")} {result.Name}: {result.Detail}");
        }

        Assert.Contains(results, r => r is { Name: "local: ACME client", Passed: true } && r.Detail.Contains("certbot", StringComparison.Ordinal));
        Assert.Contains(results, r => r is { Name: "local: domain localhost", Passed: true, Warning: false } && r.Detail.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(results, r => r is { Passed: true, Warning: false } && r.Name == $"local: domain localhost: port {Pebble.HttpPort}");
        Assert.Contains(results, r => r is { Passed: false } && r.Name == $"local: domain {lost}" && r.Detail.Contains("does not resolve", StringComparison.Ordinal));
        Assert.Contains(results, r => r is { Passed: true, Warning: true } && r.Name == $"local: certificate of {app}" && r.Detail.Contains("not issued yet", StringComparison.Ordinal));

        // The same name answered by the app over plain HTTP (no TLS: no redirect).
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Assert.Contains("\"version\":\"check-v1\"", await http.GetStringAsync(new Uri($"http://localhost:{Pebble.HttpPort}/")), StringComparison.Ordinal);
    }

    private static void Succeeded(DeployOutcome outcome) => Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);

    private static Uri Url(string name) => new($"https://{name}:{Pebble.HttpsPort}/");

    private async Task<(string App, string Name)> AppAsync(string kind, bool resolves)
    {
        var app = $"dm{kind}{_id}";
        var name = $"{kind}-{_id}.test";
        _apps.Add(app);
        _names.Add(name);
        if (resolves)
        {
            await Pebble.AddHostAsync(name);
        }

        return (app, name);
    }

    /// <summary>
    /// Runs <paramref name="action"/> while two clients send HTTPS requests to <paramref name="url"/> (a new TLS connection
    /// each), bounded to 60 s and 20,000 requests, and for a moment after it; counts every failed request.
    /// </summary>
    private static async Task<(int Requests, int Failures, List<string> Samples, IReadOnlyList<CertificateRenewal> Result)> UnderLoadAsync(
        HttpClient client, Uri url, Func<Task<IReadOnlyList<CertificateRenewal>>> action)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var requests = 0;
        var failures = 0;
        var samples = new ConcurrentQueue<string>();
        async Task LoopAsync()
        {
            while (!stop.IsCancellationRequested && Volatile.Read(ref requests) < 20_000)
            {
                Interlocked.Increment(ref requests);
                try
                {
                    using var response = await client.GetAsync(url, CancellationToken.None);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                        samples.Enqueue($"{(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    Interlocked.Increment(ref failures);
                    samples.Enqueue(ex.Message);
                }
            }
        }

        var loops = Enumerable.Range(0, 2).Select(_ => Task.Run(LoopAsync)).ToArray();
        var watch = Stopwatch.StartNew();
        await Task.Delay(500);
        var result = await action();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90));
        return (requests, failures, [.. samples.Take(5)], result);
    }
}
