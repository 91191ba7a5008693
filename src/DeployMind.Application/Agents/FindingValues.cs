using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;

namespace DeployMind.Application.Agents;

/// <summary>
/// The values the secret scanner found in this checkout, read back from the lines its findings point at (findings keep
/// only a masked excerpt): masked in everything an agent sends, so a found secret is masked even where it appears
/// without the context its rule needs (a commit message, a build log line).
/// </summary>
internal static class FindingValues
{
    private const int MaxFileBytes = 1024 * 1024;

    public static SecretValues Collect(PipelineContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var values = new SecretValues();
        if (context.Scan is not { } scan)
        {
            return values;
        }

        var root = Path.GetFullPath(context.Workspace);
        foreach (var finding in scan.Report.Findings.Where(f => f.Kind == SecurityFindingKind.Secret && f.Line > 0 && f.Column > 0).Take(200))
        {
            try
            {
                var path = Path.GetFullPath(Path.Combine(root, finding.File));
                if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path) || new FileInfo(path).Length > MaxFileBytes)
                {
                    continue;
                }

                var line = File.ReadLines(path).Skip(finding.Line - 1).FirstOrDefault();
                if (line is null || finding.Column > line.Length)
                {
                    continue;
                }

                values.Add(Token(line[(finding.Column - 1)..]));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // Unreadable now: the rules' redaction still applies.
            }
        }

        return values;
    }

    /// <summary>The value starting at a finding's column: up to a quote, whitespace, comma or semicolon.</summary>
    internal static string Token(string rest)
    {
        var text = rest.TrimStart('"', '\'', '`');
        var end = text.IndexOfAny([' ', '\t', '"', '\'', '`', ',', ';', ')', '}', ']']);
        return end < 0 ? text : text[..end];
    }
}
