using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>
/// Waves of large unsigned webhook bodies against `deploymind serve` as a separate process, whose memory is read from
/// /proc: the server stays within its documented bound (docs/server.md), never answers 5xx other than 503, and keeps
/// answering /healthz meanwhile.
/// </summary>
public sealed class WebhookAbuseTests : IDisposable
{
    private const string Secret = "abuse-secret";
    private const int Waves = 3;
    private const int Concurrent = 32;
    private const long BodyBytes = 24L * 1024 * 1024;

    // docs/server.md ("Limits"): bodies in flight cost the server about 36 MB here (4 read at once, 1 MB of each in
    // memory, the rest in a temporary file; up to 1 MB buffered by Kestrel per connection, 32 connections). Measured: +45 to +60 MB of peak
    // resident memory over the server before the waves (it was +4.1 GB when bodies were buffered whole). The bound
    // leaves room for the runtime's own growth on a busy machine.
    private const long BoundBytes = 128L * 1024 * 1024;

    private readonly ITestOutputHelper _output;
    private readonly TempFolder _home = new();
    private readonly DeploymindProcesses _cli;
    private readonly int _port = Support.Docker.FreePort();

    public WebhookAbuseTests(ITestOutputHelper output)
    {
        _output = output;
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
            ["GITHUB_WEBHOOK_SECRET"] = Secret,
        });
    }

    public void Dispose()
    {
        _cli.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task WavesOfLargeUnsignedBodies_StayWithinTheMemoryBound_NeverAnswer500_AndHealthzAnswers()
    {
        var serveOutput = new ConcurrentQueue<string>();
        var serve = _cli.Start(serveOutput, "serve", "--urls", $"http://127.0.0.1:{_port}", "--no-workers");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(10) };
        await DeploymindProcesses.WaitReadyAsync(client, serve, serveOutput);

        // Warm up what every answer uses, so the baseline is the server at work, not just started.
        var ping = SignedDelivery.Fixture("ping.json");
        for (var i = 0; i < 5; i++)
        {
            using var pong = await client.SendAsync(SignedDelivery.Signed("ping", ping, Secret));
            Assert.Equal(HttpStatusCode.OK, pong.StatusCode);
        }

        var baseline = Memory(serve.Id, "VmRSS");
        using var stop = new CancellationTokenSource();
        var health = Task.Run(() => PollHealthAsync(stop.Token));
        var statuses = new ConcurrentDictionary<int, int>();
        var peakSeen = baseline;
        for (var wave = 0; wave < Waves; wave++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => SendUnsignedAsync(withWrongSignature: i % 2 == 1)));
            foreach (var answer in answers)
            {
                statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
                Assert.True(answer.Status is 401 or 413 or 429 or 503, $"wave {wave}: answered {answer.Status}: {answer.Text[..Math.Min(answer.Text.Length, 600)]}");
            }

            peakSeen = Math.Max(peakSeen, Memory(serve.Id, "VmRSS"));
        }

        await stop.CancelAsync();
        var (polls, slowest, failures) = await health;
        var peak = Memory(serve.Id, "VmHWM");
        var after = Memory(serve.Id, "VmRSS");
        _output.WriteLine(FormattableString.Invariant(
            $"answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; RSS before {baseline / 1048576} MB, peak {peak / 1048576} MB (+{(peak - baseline) / 1048576} MB), after {after / 1048576} MB; /healthz {polls} polls, slowest {slowest.TotalMilliseconds:F0} ms"));

        Assert.Empty(failures);
        Assert.True(polls >= 5, $"/healthz was polled only {polls} times");
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"/healthz took {slowest.TotalMilliseconds:F0} ms");
        Assert.True(peak - baseline < BoundBytes, FormattableString.Invariant($"peak RSS {peak / 1048576} MB is {(peak - baseline) / 1048576} MB over the {baseline / 1048576} MB before the waves (bound {BoundBytes / 1048576} MB)"));
        Assert.True(statuses.GetValueOrDefault(401) > 0, "no body was read to its end and refused 401");
        Assert.False(serve.HasExited);
        Assert.DoesNotContain(serveOutput, line => line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase) || line.Contains("   at ", StringComparison.Ordinal));
    }

    private Task<RawAnswer> SendUnsignedAsync(bool withWrongSignature)
    {
        // A well-formed but wrong signature makes the server read and hash the whole body; none at all need not.
        var head = "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\n" +
                   $"X-GitHub-Delivery: {Guid.NewGuid()}\r\n{(withWrongSignature ? $"X-Hub-Signature-256: sha256={new string('0', 64)}\r\n" : string.Empty)}" +
                   $"Content-Length: {BodyBytes.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n";
        return RawHttp.ExchangeAsync(_port, head, (socket, token) => RawHttp.SendFillerAsync(socket, BodyBytes, token), TimeSpan.FromSeconds(90));
    }

    private async Task<(int Polls, TimeSpan Slowest, List<string> Failures)> PollHealthAsync(CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        var (polls, slowest, failures) = (0, TimeSpan.Zero, new List<string>());
        while (!stop.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{_port}/healthz"), CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"/healthz answered {(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures.Add($"/healthz failed after {watch.ElapsedMilliseconds} ms: {ex.Message}");
            }

            polls++;
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            try
            {
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (polls, slowest, failures);
    }

    /// <summary>A /proc/&lt;pid&gt;/status figure in bytes: VmRSS (resident now) or VmHWM (the peak resident).</summary>
    private static long Memory(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
