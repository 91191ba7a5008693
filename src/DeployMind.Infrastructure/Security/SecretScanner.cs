using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Scans a source tree for committed credentials with <see cref="SecretRuleCatalog"/>. Files are read into pooled
/// buffers and scanned in parallel; a keyword prefilter jumps from one candidate line to the next so regexes only
/// run on lines that contain a rule's keyword. Secrets never leave this class in clear: findings carry a masked excerpt.
/// </summary>
internal sealed class SecretScanner : ISecretScanner
{
    private const int BinaryProbeBytes = 8 * 1024;
    private const string AllowPragma = "deploymind:allow";

    private static readonly SearchValues<string> AnyKeyword = SearchValues.Create([.. SecretRuleCatalog.AllKeywords], StringComparison.OrdinalIgnoreCase);

    /// <summary>Each keyword with the rules (bit i = <c>SecretRuleCatalog.Rules[i]</c>) it selects.</summary>
    private static readonly (string Keyword, ulong Rules)[] KeywordRules =
    [
        .. SecretRuleCatalog.AllKeywords.Select(keyword => (keyword, SecretRuleCatalog.Rules
            .Select((rule, index) => rule.Keywords.Contains(keyword, StringComparer.Ordinal) ? 1UL << index : 0UL)
            .Aggregate(0UL, (a, b) => a | b))),
    ];

    private readonly SecretScanOptions _options;
    private readonly TimeProvider _time;

    public SecretScanner(IOptions<SecretScanOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
    }

    public async Task<SecretScanReport> ScanAsync(string root, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var started = _time.GetTimestamp();
        var ignore = await IgnorePatterns.LoadAsync(root, ct).ConfigureAwait(false);
        var (files, walkSkipped) = SourceTreeWalker.Walk(root, ignore, ct);
        var findings = new ConcurrentBag<SecurityFinding>();
        var skipped = new ConcurrentBag<SkippedFile>(walkSkipped);
        var scanned = 0;
        long bytes = 0;

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxParallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(files, parallel, async (entry, token) =>
        {
            if (entry.Length > _options.MaxFileBytes)
            {
                skipped.Add(new SkippedFile(entry.RelativePath, SkipReason.TooLarge));
                return;
            }

            var reason = await ScanFileAsync(entry, findings, token).ConfigureAwait(false);
            if (reason is { } why)
            {
                skipped.Add(new SkippedFile(entry.RelativePath, why));
                return;
            }

            Interlocked.Increment(ref scanned);
            Interlocked.Add(ref bytes, entry.Length);
        }).ConfigureAwait(false);

        return new SecretScanReport(
            Sort(findings),
            scanned,
            [.. skipped.OrderBy(s => s.Path, StringComparer.Ordinal)],
            bytes,
            _time.GetElapsedTime(started));
    }

    /// <summary>Scans text already in memory (one file's content) and appends its findings.</summary>
    internal static void ScanText(ReadOnlySpan<char> text, string file, ICollection<SecurityFinding> findings)
    {
        var offset = 0;
        var lineNumber = 1;
        var lineSpans = new List<(int Start, int Length)>();
        var lineFindings = new List<(SecretRule Rule, int Start, int Length)>();
        while (offset < text.Length)
        {
            var hit = text[offset..].IndexOfAny(AnyKeyword);
            if (hit < 0)
            {
                return;
            }

            var position = offset + hit;
            var lineStart = text[..position].LastIndexOf('\n') + 1;
            lineNumber += text[offset..lineStart].Count('\n');
            var newline = text[position..].IndexOf('\n');
            var lineEnd = newline < 0 ? text.Length : position + newline;
            var line = text[lineStart..lineEnd].TrimEnd('\r');

            lineFindings.Clear();
            ScanLine(line, lineFindings);
            if (lineFindings.Count > 0)
            {
                var previous = lineStart == 0 ? [] : PreviousLine(text, lineStart);
                lineSpans.Clear();
                foreach (var (_, start, length) in lineFindings)
                {
                    lineSpans.Add((start, length));
                }

                foreach (var (rule, start, _) in lineFindings)
                {
                    if (IsAllowed(line, rule.Id) || IsAllowed(previous, rule.Id))
                    {
                        continue;
                    }

                    findings.Add(new SecurityFinding(rule.Id, rule.Title, rule.Severity, file, lineNumber, start + 1, FindingExcerpt.Excerpt(line, lineSpans, start)));
                }
            }

            offset = lineEnd;
        }
    }

    /// <summary>
    /// <paramref name="text"/> with every value a rule matches masked as a finding's excerpt masks it (no allow pragma
    /// applies: this text is going to be recorded, not judged).
    /// </summary>
    internal static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny(AnyKeyword) < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var found = new List<(SecretRule Rule, int Start, int Length)>();
        var rest = text.AsSpan();
        while (rest.Length > 0)
        {
            var newline = rest.IndexOf('\n');
            var line = newline < 0 ? rest : rest[..newline];
            found.Clear();
            ScanLine(line, found);
            var position = 0;
            foreach (var (_, start, length) in found.OrderBy(f => f.Start))
            {
                builder.Append(line[position..start]).Append(FindingExcerpt.Mask(line.Slice(start, length)));
                position = start + length;
            }

            builder.Append(line[position..]);
            if (newline < 0)
            {
                break;
            }

            builder.Append('\n');
            rest = rest[(newline + 1)..];
        }

        return builder.ToString();
    }

    private static void ScanLine(ReadOnlySpan<char> line, List<(SecretRule Rule, int Start, int Length)> found)
    {
        // Which rules' keywords occur on the line: one vectorised search per keyword hit, then a prefix check.
        var rules = SecretRuleCatalog.Rules;
        ulong wanted = 0;
        var rest = line;
        int hit;
        while ((hit = rest.IndexOfAny(AnyKeyword)) >= 0)
        {
            rest = rest[hit..];
            for (var k = 0; k < KeywordRules.Length; k++)
            {
                if (rest.StartsWith(KeywordRules[k].Keyword, StringComparison.OrdinalIgnoreCase))
                {
                    wanted |= KeywordRules[k].Rules;
                }
            }

            rest = rest[1..];
        }

        string? lineText = null;
        for (var r = 0; r < rules.Count && wanted != 0; r++)
        {
            if ((wanted & (1UL << r)) == 0)
            {
                continue;
            }

            var rule = rules[r];
            lineText ??= line.ToString();
            for (var match = rule.Pattern.Match(lineText); match.Success; match = match.NextMatch())
            {
                var group = match.Groups["secret"];
                if (Accept(rule, group.Value) && !Overlaps(found, group.Index, group.Length))
                {
                    found.Add((rule, group.Index, group.Length));
                }
            }
        }
    }

    private static bool Accept(SecretRule rule, string secret)
    {
        if (secret.Length < rule.MinLength || SecretAllowlist.IsAllowed(secret))
        {
            return false;
        }

        if (rule.Generic && SecretAllowlist.IsReference(secret))
        {
            return false;
        }

        if (rule.MinEntropy > 0 && ShannonEntropy.Of(secret) < rule.MinEntropy)
        {
            return false;
        }

        return rule.Validator is null || rule.Validator(secret);
    }

    private static bool Overlaps(List<(SecretRule Rule, int Start, int Length)> found, int start, int length)
    {
        foreach (var (_, s, l) in found)
        {
            if (start < s + l && s < start + length)
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> PreviousLine(ReadOnlySpan<char> text, int lineStart)
    {
        var end = lineStart - 1;
        var start = text[..end].LastIndexOf('\n') + 1;
        return text[start..end];
    }

    /// <summary>An inline <c>deploymind:allow</c> (all rules) or <c>deploymind:allow DMS003,DMS010</c> (those rules).</summary>
    private static bool IsAllowed(ReadOnlySpan<char> line, string ruleId)
    {
        var at = line.IndexOf(AllowPragma, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return false;
        }

        var rest = line[(at + AllowPragma.Length)..].TrimStart();
        if (rest.Length < 3 || !rest.StartsWith("DM", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var range in rest.SplitAny(" ,\t"))
        {
            var token = rest[range];
            if (token.Length == 0)
            {
                continue;
            }

            if (!token.StartsWith("DM", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            if (token.Equals(ruleId, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<SkipReason?> ScanFileAsync(SourceTreeWalker.Entry entry, ConcurrentBag<SecurityFinding> findings, CancellationToken ct)
    {
        byte[]? bytes = null;
        char[]? chars = null;
        try
        {
            int length;
            using (var handle = File.OpenHandle(entry.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan))
            {
                var size = RandomAccess.GetLength(handle);
                if (size > _options.MaxFileBytes)
                {
                    return SkipReason.TooLarge;
                }

                bytes = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, size));
                length = 0;
                while (length < size)
                {
                    var read = await RandomAccess.ReadAsync(handle, bytes.AsMemory(length, (int)size - length), length, ct).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }

            var content = bytes.AsSpan(0, length);
            if (content[..Math.Min(length, BinaryProbeBytes)].Contains((byte)0))
            {
                return SkipReason.Binary;
            }

            if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                content = content[3..];
            }

            chars = ArrayPool<char>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxCharCount(content.Length)));
            var count = Encoding.UTF8.GetChars(content, chars);
            var text = chars.AsSpan(0, count);
            if (text.IndexOfAny(AnyKeyword) >= 0)
            {
                var local = new List<SecurityFinding>();
                ScanText(text, entry.RelativePath, local);
                foreach (var finding in local)
                {
                    findings.Add(finding);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SkipReason.Unreadable;
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }

            if (chars is not null)
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }

    private static List<SecurityFinding> Sort(IEnumerable<SecurityFinding> findings) =>
    [
        .. findings
            .OrderBy(f => f.File, StringComparer.Ordinal)
            .ThenBy(f => f.Line)
            .ThenBy(f => f.Column)
            .ThenBy(f => f.RuleId, StringComparer.Ordinal),
    ];
}
