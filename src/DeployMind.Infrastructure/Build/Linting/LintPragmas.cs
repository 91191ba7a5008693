using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>
/// Inline ignore comments. <c># deploymind ignore=DM001,DM007</c> in the comment block right above an
/// instruction suppresses those rules for it; <c># deploymind ignore-file=DM010</c> anywhere suppresses a rule
/// for the file. hadolint's <c># hadolint ignore=DL3008</c> and <c># hadolint global ignore=...</c> are
/// honoured through the catalogue's hadolint mapping (ids without an equivalent are ignored).
/// </summary>
internal sealed partial class LintPragmas
{
    private readonly HashSet<string> _fileIgnores;
    private readonly Dictionary<int, HashSet<string>> _instructionIgnores;

    private LintPragmas(HashSet<string> fileIgnores, Dictionary<int, HashSet<string>> instructionIgnores)
    {
        _fileIgnores = fileIgnores;
        _instructionIgnores = instructionIgnores;
    }

    /// <summary>Rule ids suppressed for the whole file.</summary>
    public IReadOnlySet<string> FileIgnores => _fileIgnores;

    public static LintPragmas From(ParsedDockerfile dockerfile)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var fileIgnores = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var byLine = new Dictionary<int, IReadOnlyList<string>>();

        foreach (var comment in dockerfile.Comments)
        {
            var match = PragmaRegex().Match(comment.Text);
            if (!match.Success)
            {
                continue;
            }

            var isHadolint = match.Groups["tool"].Value.Equals("hadolint", StringComparison.OrdinalIgnoreCase);
            var ids = match.Groups["ids"].Value
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .SelectMany(id => isHadolint ? LintRuleCatalog.FromHadolint(id) : [id.ToUpperInvariant()])
                .ToList();

            if (match.Groups["global"].Success || match.Groups["verb"].Value.Equals("ignore-file", StringComparison.OrdinalIgnoreCase))
            {
                fileIgnores.UnionWith(ids);
            }
            else
            {
                byLine[comment.Line] = ids;
            }
        }

        var commentLines = dockerfile.Comments.Select(c => c.Line).ToHashSet();
        var instructionIgnores = new Dictionary<int, HashSet<string>>();
        foreach (var instruction in dockerfile.Instructions)
        {
            // The comment block directly above the instruction (no blank line in between).
            for (var line = instruction.Line - 1; commentLines.Contains(line); line--)
            {
                if (byLine.TryGetValue(line, out var ids))
                {
                    if (!instructionIgnores.TryGetValue(instruction.Line, out var set))
                    {
                        set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        instructionIgnores[instruction.Line] = set;
                    }

                    set.UnionWith(ids);
                }
            }
        }

        return new LintPragmas(fileIgnores, instructionIgnores);
    }

    /// <summary>True when a pragma suppresses this finding.</summary>
    public bool Suppresses(LintFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return _fileIgnores.Contains(finding.RuleId)
            || (_instructionIgnores.TryGetValue(finding.Line, out var ids) && ids.Contains(finding.RuleId));
    }

    [GeneratedRegex(@"^(?<tool>deploymind|hadolint)\s+(?<global>global\s+)?(?<verb>ignore-file|ignore)\s*=\s*(?<ids>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)(?:\s.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex PragmaRegex();
}
