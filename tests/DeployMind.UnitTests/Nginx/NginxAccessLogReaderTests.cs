using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.UnitTests.Nginx;

/// <summary>The incremental reader's script, run by the real sh, stat, tail, head and awk on files in a temporary directory.</summary>
public sealed class NginxAccessLogReaderTests : IDisposable
{
    private const long T0 = 1_700_000_000_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("dm-logreader-").FullName;
    private readonly LocalProcessRunner _runner = new(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
    private readonly LogCursor _cursor = new();
    private readonly TrafficTally _tally = new();

    private string Log => Path.Combine(_directory, "shop.access.log");

    [Fact]
    public async Task Read_Appended_CountsOnlyTheNewLinesAndEndsAtTheFileEnd()
    {
        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010") + Line(1, "a:1", 502, "0.020") + Line(2, "b:2", 200, "0.030"));
        Assert.Null(await ReadAsync(T0, T0 + 60_000));
        await File.AppendAllTextAsync(Log, Line(3, "a:1", 200, "0.040") + Line(4, "b:2", 503, "0.050"));

        var gap = await ReadAsync(T0, T0 + 60_000);

        Assert.Null(gap);
        var figures = _tally.Figures();
        Assert.Equal(new UpstreamStats(3, 1, 40), figures["a:1"]);
        Assert.Equal(new UpstreamStats(2, 1, 50), figures["b:2"]);
        Assert.Equal(new FileInfo(Log).Length, _cursor.Offset);
        Assert.Equal(3, figures["a:1"].Latencies!.Count);
    }

    [Fact]
    public async Task Read_PartialLastLine_LeavesItForTheNextRead()
    {
        var whole = Line(1, "a:1", 200, "0.010");
        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010") + whole[..40]);

        await ReadAsync(T0, T0 + 60_000);
        Assert.Equal(1, _tally.Figures()["a:1"].Requests);
        Assert.Equal(Line(0, "a:1", 200, "0.010").Length, _cursor.Offset);

        await File.AppendAllTextAsync(Log, whole[40..]);
        await ReadAsync(T0, T0 + 60_000);

        Assert.Equal(2, _tally.Figures()["a:1"].Requests);
        Assert.Equal(0, _tally.Unreadable);
    }

    [Fact]
    public async Task Read_WindowEnd_StopsThereAndCountsLaterLinesOnTheNextRead()
    {
        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010") + Line(5_000, "a:1", 200, "0.010") + Line(9_000, "a:1", 200, "0.010"));

        await ReadAsync(T0, T0 + 5_000);
        Assert.Equal(1, _tally.Figures()["a:1"].Requests);

        await ReadAsync(T0, T0 + 10_000);
        Assert.Equal(3, _tally.Figures()["a:1"].Requests);
    }

    [Fact]
    public async Task Read_Truncated_ReadsFromTheStartAndSaysWhatIsMissing()
    {
        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010") + Line(1, "a:1", 200, "0.010") + Line(2, "a:1", 200, "0.010"));
        await ReadAsync(T0, T0 + 60_000);

        await File.WriteAllTextAsync(Log, Line(3, "a:1", 200, "0.010"));
        var gap = await ReadAsync(T0, T0 + 60_000);

        Assert.Contains("truncated", gap, StringComparison.Ordinal);
        Assert.Equal(4, _tally.Figures()["a:1"].Requests);
    }

    [Fact]
    public async Task Read_RotatedMidWindow_ReadsTheRestOfTheOldFileThenTheNewAndLateLines()
    {
        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010") + Line(1, "a:1", 200, "0.010"));
        await ReadAsync(T0, T0 + 60_000);
        await File.AppendAllTextAsync(Log, Line(2, "a:1", 200, "0.010"));

        // Rotated as DeployMind does: renamed to .1, then a new file (nginx reopens); a line nginx wrote to the old file
        // before it reopened comes after.
        File.Move(Log, Log + ".1");
        await File.WriteAllTextAsync(Log, Line(3, "b:2", 200, "0.010") + Line(4, "b:2", 500, "0.010"));
        Assert.Null(await ReadAsync(T0, T0 + 60_000));
        Assert.Equal(3, _tally.Figures()["a:1"].Requests);
        Assert.Equal(2, _tally.Figures()["b:2"].Requests);

        await File.AppendAllTextAsync(Log + ".1", Line(5, "a:1", 200, "0.010"));
        await File.AppendAllTextAsync(Log, Line(6, "b:2", 200, "0.010"));
        Assert.Null(await ReadAsync(T0, T0 + 60_000));
        Assert.Null(await ReadAsync(T0, T0 + 60_000));

        Assert.Equal(4, _tally.Figures()["a:1"].Requests);
        Assert.Equal(new UpstreamStats(3, 1, 10), _tally.Figures()["b:2"]);
    }

    [Fact]
    public async Task Read_RotatedTwiceBetweenReads_SaysTheGapAndReadsTheNewFile()
    {
        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010"));
        await ReadAsync(T0, T0 + 60_000);

        // Held open so that its inode is not reused by the newest file (which would look like the same file).
        await using var first = File.OpenRead(Log);
        File.Move(Log, Log + ".1");
        await File.WriteAllTextAsync(Log, Line(1, "a:1", 200, "0.010"));
        File.Move(Log, Log + ".1", overwrite: true);
        await File.WriteAllTextAsync(Log, Line(2, "a:1", 200, "0.010"));

        var gap = await ReadAsync(T0, T0 + 60_000);

        Assert.Contains("rotated more than once", gap, StringComparison.Ordinal);
        Assert.Equal(2, _tally.Figures()["a:1"].Requests);
    }

    [Fact]
    public async Task Read_FirstReadOfALargeLog_StartsAtTheWindowWithoutCountingEarlierLines()
    {
        // 20,000 lines a millisecond apart (several MiB): the window's start is found by bisection, not by reading it all.
        using (var writer = new StreamWriter(Log))
        {
            for (var i = 0; i < 20_000; i++)
            {
                await writer.WriteAsync(Line(i, i % 2 == 0 ? "a:1" : "b:2", 200, "0.001"));
            }
        }

        await ReadAsync(T0 + 12_345, T0 + 60_000);

        var figures = _tally.Figures();
        Assert.Equal(20_000 - 12_345, figures["a:1"].Requests + figures["b:2"].Requests);
    }

    [Fact]
    public async Task Read_FirstReadWindowStartsBeforeARotation_ReadsTheRotatedFileToo()
    {
        await File.WriteAllTextAsync(Log + ".1", Line(0, "a:1", 200, "0.010") + Line(10, "a:1", 200, "0.010"));
        await File.WriteAllTextAsync(Log, Line(20, "a:1", 200, "0.010"));

        Assert.Null(await ReadAsync(T0 + 5, T0 + 60_000));

        Assert.Equal(2, _tally.Figures()["a:1"].Requests);
    }

    [Fact]
    public async Task Read_FirstReadWindowStartsBeforeTheOldestKeptLine_SaysSo()
    {
        await File.WriteAllTextAsync(Log + ".1", Line(10, "a:1", 200, "0.010"));
        await File.WriteAllTextAsync(Log, Line(20, "a:1", 200, "0.010"));

        var gap = await ReadAsync(T0, T0 + 60_000);

        Assert.Contains("oldest kept line", gap, StringComparison.Ordinal);
        Assert.Equal(2, _tally.Figures()["a:1"].Requests);
    }

    [Fact]
    public async Task Read_RetriesUnreadableAndNoUpstream_CountsTheLastUpstreamAndLeavesTheRestOut()
    {
        await File.WriteAllTextAsync(
            Log,
            "not json\n" + Line(0, "a:1, b:2", 502, "0.000, 0.250") + Line(1, "-", 404, "-") + Line(2, "b:2", 200, "0.100"));

        await ReadAsync(T0, T0 + 60_000);

        var figures = _tally.Figures();
        Assert.Equal(new UpstreamStats(2, 1, 250), figures["b:2"]);
        Assert.False(figures.ContainsKey("a:1"));
        Assert.Equal(1, _tally.Unreadable);
    }

    [Fact]
    public async Task Read_NoLog_NothingAndStartsFromTheLogWhenItAppears()
    {
        Assert.Null(await ReadAsync(T0, T0 + 60_000));
        Assert.Empty(_tally.Figures());

        await File.WriteAllTextAsync(Log, Line(0, "a:1", 200, "0.010"));
        await ReadAsync(T0, T0 + 60_000);

        Assert.Equal(1, _tally.Figures()["a:1"].Requests);
    }

    [Fact]
    public void Apply_OutputNotTheScripts_ThrowsNamingIt()
    {
        var error = Assert.Throws<FormatException>(() => NginxAccessLogReader.Apply("sh: awk: not found\n", _cursor, _tally));

        Assert.Contains("awk: not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Figures_ManyRequests_ExactNearestRankP95AndBinnedTimes()
    {
        for (var ms = 1; ms <= 100; ms++)
        {
            _tally.Add("a:1", (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture), 1, 0);
        }

        var stats = _tally.Figures()["a:1"];

        Assert.Equal(95, stats.P95Milliseconds, 6);
        Assert.Equal(100, stats.Latencies!.Count);
    }

    [Fact]
    public async Task RotateLogs_OnlyLogsOverTheLimit_MovedToDot1AndNginxToldOnce()
    {
        await File.WriteAllTextAsync(Log, new string('x', 100));
        await File.WriteAllTextAsync(Log + ".1", "older");
        await File.WriteAllTextAsync(Path.Combine(_directory, "small.access.log"), "x");
        await File.WriteAllTextAsync(Path.Combine(_directory, "error.log"), new string('x', 100));
        // "echo" for nginx: prints the signal it would have been sent.
        var layout = NginxLayout.Create(new NginxOptions { Prefix = _directory, Binary = "echo", AccessLogDirectory = _directory }, null);

        var result = (await _runner.RunAsync(NginxCommands.RotateLogs(layout, 50), null, CancellationToken.None)).EnsureSuccess();

        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"rotated\t{Log}\t100", lines[0]);
        Assert.Matches("^-p .* -s (reload|reopen)$", Assert.Single(lines[1..]));
        Assert.Equal(100, new FileInfo(Log + ".1").Length);
        Assert.False(File.Exists(Log));
        Assert.True(File.Exists(Path.Combine(_directory, "small.access.log")));
        Assert.Equal(100, new FileInfo(Path.Combine(_directory, "error.log")).Length);
    }

    [Fact]
    public async Task RotateLogs_NothingOverTheLimit_NginxNotTold()
    {
        await File.WriteAllTextAsync(Log, "x");
        var layout = NginxLayout.Create(new NginxOptions { Prefix = _directory, Binary = "echo", AccessLogDirectory = _directory }, null);

        var result = (await _runner.RunAsync(NginxCommands.RotateLogs(layout, 50), null, CancellationToken.None)).EnsureSuccess();

        Assert.Equal(string.Empty, result.StandardOutput.Trim());
        Assert.True(File.Exists(Log));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A line as <see cref="NginxConfigRenderer.LogFormat"/> writes it, <paramref name="offset"/> ms after T0.</summary>
    internal static string Line(long offset, string address, int status, string upstreamTime)
    {
        var msec = ((T0 + offset) / 1000m).ToString("0.000", CultureInfo.InvariantCulture);
        return NginxConfigRenderer.LogFormat
            .Replace("$msec", msec, StringComparison.Ordinal)
            .Replace("$time_iso8601", "2023-11-14T22:13:20+00:00", StringComparison.Ordinal)
            .Replace("$upstream_addr", address, StringComparison.Ordinal)
            .Replace("$upstream_status", status.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$status", status.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$request_time", "0.011", StringComparison.Ordinal)
            .Replace("$upstream_response_time", upstreamTime, StringComparison.Ordinal)
            .Replace("$request_method", "GET", StringComparison.Ordinal)
            .Replace("$request_uri", "/a?b=\\\"c\\\"", StringComparison.Ordinal)
            .Replace("$body_bytes_sent", "12", StringComparison.Ordinal) + "\n";
    }

    private async Task<string?> ReadAsync(long fromMs, long toMs)
    {
        var command = NginxAccessLogReader.Command(Log, _cursor, DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs));
        var result = (await _runner.RunAsync(command, null, CancellationToken.None)).EnsureSuccess();
        return NginxAccessLogReader.Apply(result.StandardOutput, _cursor, _tally);
    }
}
