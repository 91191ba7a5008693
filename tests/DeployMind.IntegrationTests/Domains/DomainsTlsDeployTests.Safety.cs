using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Domains;
using DeployMind.Application.Jobs;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Domains;

/// <summary>
/// What the shared ports give a name that is no app's (nothing), renewals from two processes (one at a time, under the
/// host's deploy lock), and a renewed certificate nginx refuses (the previous one put back and still served).
/// </summary>
public sealed partial class DomainsTlsDeployTests
{
    [Fact]
    public async Task SharedPorts_UnknownHostOrServerName_GetNoAppWhileDomainAndPortAppsServe()
    {
        var (shop, shopName) = await AppAsync("any", resolves: true);
        var (blog, blogName) = await AppAsync("other", resolves: true);
        var plain = $"dmplain{_id}";
        _apps.Add(plain);
        var plainPort = Docker.FreePort();
        var catchAll = Path.Combine(_fixture.NginxPrefix, "conf", "sites", "_default.conf");

        // A port-mode app alone: no catch-all on the shared ports.
        Succeeded(await _fixture.DeployAsync(_fixture.Request(plain, "plain-v1", plainPort) with { Tls = null }));
        Assert.False(File.Exists(catchAll));

        // The first domain site brings the catch-all; the second app's certificate is then issued over HTTP-01 with it in place.
        Succeeded(await _fixture.DeployAsync(_fixture.Request(shop, "any-v1", Docker.FreePort(), shopName)));
        Assert.True(File.Exists(catchAll));
        Succeeded(await _fixture.DeployAsync(_fixture.Request(blog, "other-v1", Docker.FreePort(), blogName)));
        _output.WriteLine(await File.ReadAllTextAsync(catchAll));

        using (var https = Pebble.HttpsClient(_fixture.Root))
        {
            Assert.Contains("\"version\":\"any-v1\"", await https.GetStringAsync(Url(shopName)), StringComparison.Ordinal);
            Assert.Contains("\"version\":\"other-v1\"", await https.GetStringAsync(Url(blogName)), StringComparison.Ordinal);
        }

        // HTTP: a known name is answered (the redirect); an unknown Host, or the bare address, gets the connection closed unanswered.
        Assert.StartsWith("HTTP/1.1 301", await RawHttpAsync(Pebble.HttpPort, shopName), StringComparison.Ordinal);
        Assert.Equal(string.Empty, await RawHttpAsync(Pebble.HttpPort, $"unknown-{_id}.test"));
        Assert.Equal(string.Empty, await RawHttpAsync(Pebble.HttpPort, "127.0.0.1"));

        // HTTPS: an unknown server name, or none (an address), gets its handshake refused before any certificate is sent.
        Assert.NotNull(await HandshakeAsync(shopName));
        foreach (var name in new[] { $"unknown-{_id}.test", "127.0.0.1" })
        {
            var presented = (X509Certificate?)null;
            await Assert.ThrowsAsync<AuthenticationException>(async () => presented = await HandshakeAsync(name, c => presented = c));
            Assert.Null(presented);
        }

        // The port-mode app still answers every name on its own port.
        Assert.StartsWith("HTTP/1.1 200", await RawHttpAsync(plainPort, $"unknown-{_id}.test"), StringComparison.Ordinal);

        // The last domain site gone, the catch-all goes with it; the port-mode app keeps serving.
        await _fixture.CleanAsync(shop);
        Assert.True(File.Exists(catchAll));
        await _fixture.CleanAsync(blog);
        Assert.False(File.Exists(catchAll));
        Assert.StartsWith("HTTP/1.1 200", await RawHttpAsync(plainPort, "localhost"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenewCertificates_TwoProcessesAtOnce_TheSecondSkipsOrWaitsForTheFirst()
    {
        var (app, name) = await AppAsync("lock", resolves: true);
        Succeeded(await _fixture.DeployAsync(_fixture.Request(app, "lock-v1", Docker.FreePort(), name)));
        using var other = _fixture.CreateProcess();
        using var mine = _fixture.Services.CreateScope();
        using var theirs = other.Services.CreateScope();
        var command = new DeployCommand(".") { Environment = "production" };
        var target = Assert.Single(mine.ServiceProvider.GetRequiredService<DeployService>().TargetsOf(command));
        var locks = _fixture.Services.GetRequiredService<IDeployLock>();

        var first = Task.Run(() => mine.ServiceProvider.GetRequiredService<CertificateRenewals>()
            .RenewAsync(command, force: true, app, TimeSpan.FromMinutes(2), _ => { }, "first", CancellationToken.None));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (await locks.GetAsync(target, CancellationToken.None) is not { } holder || !holder.Owner.StartsWith("first@", StringComparison.Ordinal))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline && !first.IsCompleted, $"the first renewal never held {target}");
            await Task.Delay(20);
        }

        // The other process's housekeeping does not wait: it skips, naming the holder.
        var renewals = theirs.ServiceProvider.GetRequiredService<CertificateRenewals>();
        var skipped = await renewals.RenewDueAsync(CancellationToken.None);
        var skip = Assert.Single(skipped);
        _output.WriteLine($"{skip.Host}: {skip.Renewal.Outcome} {skip.Renewal.Detail}");
        Assert.Equal(CertificateRenewals.Skipped, skip.Renewal.Outcome);
        Assert.Contains($"the lock of {target} is held by first@", skip.Renewal.Detail, StringComparison.Ordinal);

        // Its `certs renew` waits until the first renewal is done, then renews.
        var waited = new ConcurrentQueue<string>();
        var second = await renewals.RenewAsync(command, force: true, app, TimeSpan.FromMinutes(2), waited.Enqueue, "second", CancellationToken.None);
        var firstDone = await first;
        foreach (var line in waited.Concat(firstDone.Concat(second).Select(r => $"{r.Host}: {r.Renewal.App} {r.Renewal.Outcome} {r.Renewal.Detail}")))
        {
            _output.WriteLine(line);
        }

        Assert.Contains(waited, m => m.StartsWith($"{LockWaitNotice.Waiting}{target}, held by first@", StringComparison.Ordinal));
        Assert.Equal("renewed", Assert.Single(firstDone).Renewal.Outcome);
        Assert.Equal("renewed", Assert.Single(second).Renewal.Outcome);
        Assert.Null(await locks.GetAsync(target, CancellationToken.None));
        using var https = Pebble.HttpsClient(_fixture.Root);
        Assert.Contains("\"version\":\"lock-v1\"", await https.GetStringAsync(Url(name)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertsRenewCli_HostLockHeld_SkipsWithoutWaitingAndRenewsOnceFreed()
    {
        var (app, name) = await AppAsync("cli", resolves: true);
        Succeeded(await _fixture.DeployAsync(_fixture.Request(app, "cli-v1", Docker.FreePort(), name)));
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "deploymind.yml"), $"app: {app}\n");
        var locks = _fixture.Services.GetRequiredService<IDeployLock>();
        using var scope = _fixture.Services.CreateScope();
        var target = Assert.Single(scope.ServiceProvider.GetRequiredService<DeployService>().TargetsOf(new DeployCommand(".") { Environment = "production" }));
        var held = await locks.TryAcquireAsync(target, "deploy of something else", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.NotNull(held);

        var console = new TestConsole().Width(400);
        var code = await global::DeployMind.Cli.DeployMindCli.RunAsync(
            ["certs", "renew", folder.Path, "--force", "--lock-wait", "0s", "--output", "json"], console, new global::DeployMind.Cli.Hosting.CliHostFactory(_fixture.Settings(), null, null), CancellationToken.None);
        _output.WriteLine(console.Output);
        Assert.Equal(global::DeployMind.Cli.ExitCodes.Error, code);
        Assert.Contains("\"outcome\": \"skipped\"", console.Output, StringComparison.Ordinal);
        Assert.Contains($"the lock of {target} is held by deploy of something else", console.Output, StringComparison.Ordinal);

        // Waiting (the default): renewed once the holder lets go.
        var release = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await locks.ReleaseAsync(held!, CancellationToken.None);
        });
        console = new TestConsole().Width(400);
        code = await global::DeployMind.Cli.DeployMindCli.RunAsync(
            ["certs", "renew", folder.Path, "--force", "--output", "json"], console, new global::DeployMind.Cli.Hosting.CliHostFactory(_fixture.Settings(), null, null), CancellationToken.None);
        await release;
        _output.WriteLine(console.Output);
        Assert.True(code == global::DeployMind.Cli.ExitCodes.Success, console.Output);
        Assert.Contains("\"outcome\": \"renewed\"", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenewCertificates_RenewedKeyNginxRefuses_PreviousCertificateBackOnDiskAndServed()
    {
        var (app, name) = await AppAsync("refused", resolves: true);
        Succeeded(await _fixture.DeployAsync(_fixture.Request(app, "refused-v1", Docker.FreePort(), name)));
        string? before = null;
        using (var https = Pebble.HttpsClient(_fixture.Root, s => before = s))
        {
            Assert.Contains("\"version\":\"refused-v1\"", await https.GetStringAsync(Url(name)), StringComparison.Ordinal);
        }

        // certbot renews for real, then its new key is replaced by another one: a pair nginx refuses.
        using var scripts = new TempFolder();
        var certbot = Path.Combine(scripts.Path, "certbot-bad-key");
        await File.WriteAllTextAsync(certbot, """
            #!/bin/sh
            certbot "$@" || exit $?
            prev= config= name=
            for a in "$@"; do
              case "$prev" in --config-dir) config=$a ;; --cert-name) name=$a ;; esac
              prev=$a
            done
            [ -n "$config" ] && [ -n "$name" ] || exit 0
            key=$(readlink -f "$config/live/$name/privkey.pem")
            openssl ecparam -genkey -name prime256v1 -noout -out "$key.other" && mv -f "$key.other" "$key"
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        File.SetUnixFileMode(certbot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var other = _fixture.CreateProcess(new Dictionary<string, string?> { ["nginx:domains:certbot"] = certbot });
        using var scope = other.Services.CreateScope();
        var command = new DeployCommand(".") { Environment = "production" };

        var results = await scope.ServiceProvider.GetRequiredService<CertificateRenewals>()
            .RenewAsync(command, force: true, app, TimeSpan.FromMinutes(1), _ => { }, "test", CancellationToken.None);

        var failed = Assert.Single(results).Renewal;
        _output.WriteLine(failed.Detail);
        Assert.Equal("failed", failed.Outcome);
        Assert.Contains($"The renewed certificate of app '{app}' ({name})", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("key values mismatch", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("the previous certificate", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("deploymind certs renew --force", failed.Detail, StringComparison.Ordinal);

        // On disk: the previous, matching pair (loading it checks the key against the certificate); nginx serves it.
        var live = Path.Combine(_fixture.TlsDirectory, "acme", "live", app);
        using (var pair = X509Certificate2.CreateFromPemFile(Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem")))
        {
            Assert.Equal(before, pair.SerialNumber);
        }

        string? served = null;
        using (var https = Pebble.HttpsClient(_fixture.Root, s => served = s))
        {
            Assert.Contains("\"version\":\"refused-v1\"", await https.GetStringAsync(Url(name)), StringComparison.Ordinal);
        }

        Assert.Equal(before, served);

        // The refused version left certbot's archive (else certbot would link it again rather than renew), kept for a look.
        var archive = Path.Combine(_fixture.TlsDirectory, "acme", "archive", app);
        Assert.True(File.Exists(Path.Combine(archive, "privkey2.pem.refused")));
        Assert.False(File.Exists(Path.Combine(archive, "privkey2.pem")));

        // Nothing is left broken: the next change of the host (a renewal with the real certbot) is tested, loaded and served.
        var again = Assert.Single(await _fixture.LocalHost.Router.RenewCertificatesAsync(force: true, app, CancellationToken.None));

        Assert.True(again.Outcome == "renewed", again.Detail);
        using (var https = Pebble.HttpsClient(_fixture.Root, s => served = s))
        {
            Assert.Contains("\"version\":\"refused-v1\"", await https.GetStringAsync(Url(name)), StringComparison.Ordinal);
        }

        Assert.NotEqual(before, served);
    }

    [Fact]
    public async Task ProbeTraffic_AppServedByDomainOverHttps_ReachesTheAppWithItsDomainAndHttpsLikeUsers()
    {
        var (app, name) = await AppAsync("probe", resolves: true);
        var request = _fixture.Request(app, "probe-v1", Docker.FreePort(), name);
        Succeeded(await _fixture.DeployAsync(request));
        var host = _fixture.LocalHost;
        var live = await host.Router.GetAsync(app, CancellationToken.None);
        await using var echo = new HeaderEcho();
        var marker = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

        // The canary's route while it sends probe traffic (its marker), to a server that records what the app would see.
        await host.Router.ApplyAsync(live! with { Servers = [new Application.Deploy.Hosts.UpstreamServer($"127.0.0.1:{echo.Port}", 1, "echo")], ProbeMarker = marker }, CancellationToken.None);
        var url = Application.Deploy.Analysis.ProbeTrafficSender.Url(request.ListenPort, "/health");
        var probe = await host.Probe.GetMarkedAsync(url, Application.Deploy.Analysis.ProbeTrafficSender.HostNameOf(request), new(Application.Deploy.Hosts.RouteSpec.ProbeHeader, marker), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(probe.Healthy, probe.Error);
        var seen = Assert.Single(echo.Requests);
        _output.WriteLine(seen);
        Assert.Contains($"\nhost: {name}\r", seen, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\nx-forwarded-proto: https\r", seen, StringComparison.OrdinalIgnoreCase);

        // A user's request on the app's own port is forwarded as what it is (plain HTTP), and users by name over HTTPS as HTTPS.
        Assert.True((await host.Probe.GetAsync(url, null, TimeSpan.FromSeconds(5), CancellationToken.None)).Healthy);
        Assert.Contains("\nx-forwarded-proto: http\r", echo.Requests.Last(), StringComparison.OrdinalIgnoreCase);
        using var https = Pebble.HttpsClient(_fixture.Root);
        Assert.Equal("ok", await https.GetStringAsync(Url(name)));
        Assert.Contains($"\nhost: {name}\r", echo.Requests.Last(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\nx-forwarded-proto: https\r", echo.Requests.Last(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A raw HTTP/1.1 GET with <paramref name="host"/> as Host to 127.0.0.1:<paramref name="port"/>: what came back before the server closed.</summary>
    private static async Task<string> RawHttpAsync(int port, string host)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    /// <summary>A TLS handshake with 127.0.0.1:<see cref="Pebble.HttpsPort"/> naming <paramref name="serverName"/> (none for an address); the certificate it presented.</summary>
    private static async Task<X509Certificate?> HandshakeAsync(string serverName, Action<X509Certificate?>? presented = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Pebble.HttpsPort);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        X509Certificate? seen = null;
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                // Only which certificate was presented matters here (Pebble.HttpsClient checks the chain).
                seen = certificate;
                presented?.Invoke(certificate);
                return certificate is not null;
            },
        });
        return seen;
    }

    /// <summary>An upstream on 127.0.0.1 that records each request's head (lower-case or not, as sent) and answers "ok".</summary>
    private sealed class HeaderEcho : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public HeaderEcho()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(LoopAsync);
        }

        public int Port { get; }

        public ConcurrentQueue<string> Requests { get; } = new();

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                using (client)
                {
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    Requests.Enqueue(head.ToString());
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), _stop.Token);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }
}
