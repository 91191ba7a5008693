using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Reads an app's access log incrementally for one analysis window, summarised on the host: each read is one command
/// (through the runner, so the same over SSH) that stats the log and its rotated predecessor (<c>&lt;log&gt;.1</c>), reads
/// only the bytes written since the previous read (by inode and byte offset), and prints per (upstream, response time)
/// counts, so what crosses the wire and what this process parses depends on how many distinct response times there were,
/// not on how many requests or how long the window has run.
/// </summary>
/// <remarks>
/// <para>
/// Why on the host: reading only new bytes still moves every new line (≈350 bytes a request: 1.7 MB per 2-second check at
/// 1,000 requests/s); counting them where they are moves a few hundred bytes. The host needs only POSIX sh, <c>stat -c</c>,
/// <c>tail</c>, <c>head</c> and <c>awk</c> (mawk, gawk and busybox awk all do).
/// </para>
/// <para>
/// The first read of a window finds where the window starts by bisecting the log on its <c>msec</c> times (a few 64 KiB
/// probes, whatever the log's size) and, when that is the log's first line, also looks in <c>&lt;log&gt;.1</c>. Later reads
/// continue from the cursor: same inode and at least as large → the new bytes; same inode but smaller → truncated, read
/// from 0 and say that what was written between the last read and the truncation is missing; a different inode → the log
/// was rotated: the rest of the old file (found as <c>&lt;log&gt;.1</c> by its inode), then the new one from 0; the old file
/// is checked for late lines (written before nginx reopened its logs) at every later read. Rotated away further than
/// <c>.1</c> between two reads → the gap is said. Only complete lines are counted (a line still being written is read
/// next time), and a read stops at the first line that ended at or after the window's end (the next read starts there).
/// </para>
/// <para>
/// The log lines are read by position (<c>"</c>-separated fields): <see cref="NginxConfigRenderer.LogFormat"/> must begin
/// with <c>msec</c>, <c>time</c>, <c>upstream_addr</c>, <c>status</c>, <c>upstream_status</c>, <c>request_time</c>,
/// <c>upstream_response_time</c> in that order; keys added after them do not matter. A line that does not match is counted
/// as unreadable.
/// </para>
/// </remarks>
internal static class NginxAccessLogReader
{
    /// <summary>The awk program that summarises a byte range of the log.</summary>
    /// <remarks>
    /// Variables: start (offset of the range), bytes (its length), skip (1: the first line is the tail of a line before the
    /// range), stop (1: stop at the first line at or after "to"; 0: leave such lines out and read on), from/to (ms).
    /// Prints "r TAB addr TAB time TAB count TAB 5xx" per distinct pair and "end TAB offset TAB stopped TAB unreadable TAB
    /// early TAB segment"; exits 3 when it stopped.
    /// </remarks>
    private const string Summarise = """
        BEGIN { FS = "\""; used = 0; stopped = 0; bad = 0; early = 0; last = 0 }
        {
          len = length($0) + 1
          if (NR == 1 && skip) { used += len; last = 0; next }
          if ($2 != "msec" || $10 != "upstream_addr" || $14 != "status" || $26 != "upstream_response_time") { bad++; used += len; last = 1; lastlen = len; next }
          ms = int($4 * 1000 + 0.5)
          if (ms >= to) { if (stop) { stopped = 1; exit } used += len; last = 0; next }
          used += len
          if (ms < from) { early++; last = 2; lastlen = len; next }
          k = $12 "\t" $28
          n[k]++
          err = ($16 + 0 >= 500)
          if (err) e[k]++
          last = 3; lastlen = len; lastkey = k; lasterr = err
        }
        END {
          if (!stopped && used > bytes) {
            used -= lastlen
            if (last == 1) bad--
            else if (last == 2) early--
            else if (last == 3) { n[lastkey]--; if (lasterr) e[lastkey]--; if (n[lastkey] == 0) delete n[lastkey] }
          }
          for (k in n) printf "r\t%s\t%d\t%d\n", k, n[k], e[k] + 0
          printf "end\t%.0f\t%d\t%d\t%d\t%s\n", start + used, stopped, bad, early, seg
          if (stopped) exit 3
        }
        """;

    /// <summary>The shell script around it: one command per read (stat, rotation and truncation checks, reads).</summary>
    /// <remarks>Arguments: log, inode, offset, previous inode, previous offset, from (ms), to (ms), awk program.</remarks>
    private const string Script = """
        export LC_ALL=C
        log=$1 ino=$2 off=$3 pino=$4 poff=$5 from=$6 to=$7 prog=$8
        # Opened once: the stat and every read below see the same files even if they are rotated meanwhile.
        { command exec 3<"$log"; } 2>/dev/null && log=/dev/fd/3 || log=/nonexistent
        { command exec 4<"$1.1"; } 2>/dev/null && old=/dev/fd/4 || old=/nonexistent
        set -- $(stat -L -c '%i %s' -- "$log" 2>/dev/null || echo 0 0) $(stat -L -c '%i %s' -- "$old" 2>/dev/null || echo 0 0)
        cino=$1 csize=$2 rino=$3 rsize=$4
        printf 'file\t%s\t%s\t%s\t%s\n' "$cino" "$csize" "$rino" "$rsize"
        # seg FILE START END SKIP STOP NAME: summarise bytes [START, END) of FILE
        seg() {
          if [ "$3" -le "$2" ]; then printf 'end\t%s\t0\t0\t0\t%s\n' "$2" "$6"; return 0; fi
          tail -c +$(($2 + 1)) -- "$1" | head -c $(($3 - $2)) | awk -v start="$2" -v bytes=$(($3 - $2)) -v skip="$4" -v stop="$5" -v from="$from" -v to="$to" -v seg="$6" "$prog"
        }
        # first FILE SIZE: an offset within 64 KiB before the first line that ended at or after from
        first() {
          lo=0 hi=$2
          while [ $((hi - lo)) -gt 65536 ]; do
            mid=$(((lo + hi) / 2))
            t=$(tail -c +$((mid + 1)) -- "$1" | head -c 65536 | awk -F'"' 'NR > 1 && $2 == "msec" { printf "%.0f", int($4 * 1000 + 0.5); exit }')
            if [ -n "$t" ] && [ "$t" -lt "$from" ]; then lo=$mid; else hi=$mid; fi
          done
          echo $lo
        }
        # from START: a start inside the file reads from the byte before it and drops the (possibly cut) first line
        from_start() { if [ "$3" -gt 0 ]; then seg "$1" $(($3 - 1)) "$2" 1 1 "$4"; else seg "$1" 0 "$2" 0 1 "$4"; fi; }
        if [ "$ino" = 0 ]; then
          [ "$cino" = 0 ] && exit 0
          s=$(first "$log" "$csize")
          if [ "$s" = 0 ] && [ "$rino" != 0 ]; then
            # The oldest line kept is after the window's start: what was rotated away before it is not here.
            t=$(head -c 65536 -- "$old" | awk -F'"' '$2 == "msec" { printf "%.0f", int($4 * 1000 + 0.5); exit }')
            if [ -n "$t" ] && [ "$t" -gt "$from" ]; then printf 'note\tbegins\t%s\n' "$t"; fi
            from_start "$old" "$rsize" "$(first "$old" "$rsize")" old && seg "$log" 0 "$csize" 0 1 cur
          else
            from_start "$log" "$csize" "$s" cur
          fi
        elif [ "$ino" = "$cino" ]; then
          if [ "$pino" != 0 ] && [ "$pino" = "$rino" ] && [ "$rsize" -gt "$poff" ]; then seg "$old" "$poff" "$rsize" 0 0 late; fi
          if [ "$csize" -lt "$off" ]; then
            printf 'note\ttruncated\n'
            seg "$log" 0 "$csize" 0 1 cur
          else
            seg "$log" "$off" "$csize" 0 1 cur
          fi
        elif [ "$ino" = "$rino" ]; then
          seg "$old" "$off" "$rsize" 0 1 old && [ "$cino" != 0 ] && seg "$log" 0 "$csize" 0 1 cur
        else
          printf 'note\tlost\n'
          [ "$cino" != 0 ] && seg "$log" 0 "$csize" 0 1 cur
        fi
        exit 0
        """;

    /// <summary>The read command: figures for [from, to) in what was written since <paramref name="cursor"/>.</summary>
    public static CommandSpec Command(string path, LogCursor cursor, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(cursor);
        return CommandSpec.Create(
            "sh",
            "-c",
            Script,
            "sh",
            path,
            Text(cursor.Inode),
            Text(cursor.Offset),
            Text(cursor.PreviousInode),
            Text(cursor.PreviousOffset),
            Text(CeilingMilliseconds(from)),
            Text(CeilingMilliseconds(to)),
            Summarise).WithEnvironment("LC_ALL", "C");
    }

    /// <summary>
    /// Adds the command's output to <paramref name="tally"/> and moves <paramref name="cursor"/> past what it read.
    /// </summary>
    /// <returns>What the read could not count (a truncation, a lost rotation), or null.</returns>
    /// <exception cref="FormatException">The output is not the script's (the host lacks a tool it needs).</exception>
    public static string? Apply(string output, LogCursor cursor, TrafficTally tally)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(cursor);
        ArgumentNullException.ThrowIfNull(tally);
        long[]? file = null;
        var ends = new Dictionary<string, long>(StringComparer.Ordinal);
        string? gap = null;
        var rows = new List<(string Address, string Time, long Count, long Errors)>();
        foreach (var raw in output.Split('\n'))
        {
            var parts = raw.Split('\t');
            switch (parts[0])
            {
                case "file" when parts.Length == 5:
                    file = [Number(parts[1]), Number(parts[2]), Number(parts[3]), Number(parts[4])];
                    break;
                case "r" when parts.Length == 5:
                    rows.Add((parts[1], parts[2], Number(parts[3]), Number(parts[4])));
                    break;
                case "end" when parts.Length == 6:
                    ends[parts[5]] = Number(parts[1]);
                    tally.Unreadable += Number(parts[3]);
                    break;
                case "note" when parts.Length == 3 && parts[1] == "begins":
                    gap = string.Create(
                        CultureInfo.InvariantCulture,
                        $"the access log's oldest kept line (rotated) is from {DateTimeOffset.FromUnixTimeMilliseconds(Number(parts[2])):u}, after the window's start: requests before it are not counted");
                    break;
                case "note" when parts.Length == 2:
                    gap = parts[1] == "truncated"
                        ? "the access log was truncated between two reads: requests logged between the last read and the truncation are not counted"
                        : "the access log was rotated more than once (or removed) between two reads: requests in the files rotated away are not counted";
                    break;
                case "":
                    break;
                default:
                    throw new FormatException($"Unexpected line from the access log reader: '{raw}'.");
            }
        }

        if (file is null)
        {
            throw new FormatException("The access log reader printed nothing (does the host have sh, stat, tail, head and awk?).");
        }

        foreach (var (address, time, count, errors) in rows)
        {
            tally.Add(address, time, count, errors);
        }

        var (currentInode, _, rotatedInode, rotatedSize) = (file[0], file[1], file[2], file[3]);
        if (ends.TryGetValue("late", out var late))
        {
            cursor.PreviousOffset = late;
        }

        if (ends.TryGetValue("cur", out var current))
        {
            if (ends.ContainsKey("old") || cursor.Inode == 0)
            {
                // Came from the rotated file (or started): remember it, for lines nginx writes to it before it reopens.
                cursor.PreviousInode = ends.ContainsKey("old") || rotatedInode != 0 ? rotatedInode : 0;
                cursor.PreviousOffset = ends.TryGetValue("old", out var o) ? o : rotatedSize;
            }
            else if (gap is not null && cursor.Inode != currentInode)
            {
                cursor.PreviousInode = 0;
                cursor.PreviousOffset = 0;
            }

            cursor.Inode = currentInode;
            cursor.Offset = current;
        }
        else if (ends.TryGetValue("old", out var old))
        {
            // Stopped in the rotated file (or the new one is not there yet): continue there next time.
            cursor.Inode = rotatedInode;
            cursor.Offset = old;
            cursor.PreviousInode = 0;
            cursor.PreviousOffset = 0;
        }

        return gap;
    }

    private static long Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' from the access log reader is not a number.");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The smallest whole millisecond at or after <paramref name="time"/> (log times are whole milliseconds).</summary>
    private static long CeilingMilliseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks / TimeSpan.TicksPerMillisecond) + (ticks % TimeSpan.TicksPerMillisecond > 0 ? 1 : 0);
    }
}

/// <summary>Where an analysis has read an access log up to: the file (inode) and byte offset, and the rotated file's.</summary>
internal sealed class LogCursor
{
    /// <summary>The inode of the file being followed; 0 before the first read.</summary>
    public long Inode { get; set; }

    /// <summary>The bytes of it read (always at a line's end).</summary>
    public long Offset { get; set; }

    /// <summary>The inode of the file it was rotated from (<c>&lt;log&gt;.1</c>), checked for late lines; 0 for none.</summary>
    public long PreviousInode { get; set; }

    /// <summary>The bytes of that file read.</summary>
    public long PreviousOffset { get; set; }
}

/// <summary>Per-upstream figures accumulated over the reads of one window: counts, 5xx and every response time's count.</summary>
internal sealed class TrafficTally
{
    private readonly Dictionary<string, Upstream> _upstreams = new(StringComparer.Ordinal);

    /// <summary>Lines that were not access log entries of the expected format.</summary>
    public long Unreadable { get; set; }

    /// <summary>
    /// Adds <paramref name="count"/> requests with these raw <c>$upstream_addr</c> and <c>$upstream_response_time</c>
    /// values (the last upstream counts, as in <see cref="NginxAccessLogParser"/>); requests no upstream saw are left out.
    /// </summary>
    public void Add(string addresses, string times, long count, long errors)
    {
        if (NginxAccessLogParser.Last(addresses) is not { } address || count <= 0)
        {
            return;
        }

        if (!_upstreams.TryGetValue(address, out var upstream))
        {
            _upstreams[address] = upstream = new Upstream();
        }

        upstream.Requests += count;
        upstream.Errors += errors;
        if (NginxAccessLogParser.Last(times) is { } last
            && double.TryParse(last, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            var milliseconds = seconds * 1000;
            upstream.Times[milliseconds] = upstream.Times.GetValueOrDefault(milliseconds) + count;
        }
    }

    /// <summary>The figures so far: counts, 5xx, the exact nearest-rank p95 and the binned response times.</summary>
    public IReadOnlyDictionary<string, UpstreamStats> Figures()
    {
        var figures = new Dictionary<string, UpstreamStats>(StringComparer.Ordinal);
        foreach (var (address, upstream) in _upstreams)
        {
            var histogram = new LatencyHistogram();
            foreach (var (milliseconds, count) in upstream.Times)
            {
                histogram.AddToBin(LatencyHistogram.BinOf(milliseconds), count);
            }

            figures[address] = new UpstreamStats(Clamp(upstream.Requests), Clamp(upstream.Errors), NearestRank(upstream.Times, 95))
            {
                Latencies = histogram,
            };
        }

        return figures;
    }

    /// <summary>The nearest-rank percentile of values given with their counts (as <see cref="Percentile.NearestRank"/>).</summary>
    private static double NearestRank(Dictionary<double, long> counts, double percent)
    {
        var total = counts.Values.Sum();
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * total));
        long seen = 0;
        foreach (var (value, count) in counts.OrderBy(kv => kv.Key))
        {
            seen += count;
            if (seen >= rank)
            {
                return value;
            }
        }

        return counts.Keys.Max();
    }

    private static int Clamp(long value) => (int)Math.Min(int.MaxValue, value);

    private sealed class Upstream
    {
        public long Requests { get; set; }

        public long Errors { get; set; }

        public Dictionary<double, long> Times { get; } = [];
    }
}
