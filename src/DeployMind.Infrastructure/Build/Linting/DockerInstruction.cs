namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>One Dockerfile instruction, continuations joined and heredoc bodies attached.</summary>
/// <param name="Keyword">The instruction, upper-cased ("FROM", "RUN", ...).</param>
/// <param name="RawArguments">Everything after the keyword, continuation lines joined (escape characters removed), flags included.</param>
/// <param name="Arguments"><paramref name="RawArguments"/> without the leading <c>--flag</c> words, trimmed.</param>
/// <param name="Flags">The leading flags (for FROM, RUN, COPY, ADD and HEALTHCHECK), in order.</param>
/// <param name="Line">1-based line of the instruction's first line; findings point here.</param>
/// <param name="EndLine">1-based last line (continuations and heredoc terminators included).</param>
/// <param name="IsExecForm">The arguments are a JSON array of strings (<c>CMD ["node", "server.js"]</c>).</param>
/// <param name="ExecArguments">The parsed JSON array when <paramref name="IsExecForm"/>; otherwise empty.</param>
/// <param name="Heredocs">Heredocs in the order their markers appear.</param>
/// <param name="StageIndex">0-based build stage the instruction belongs to; -1 for ARGs before the first FROM.</param>
internal sealed record DockerInstruction(
    string Keyword,
    string RawArguments,
    string Arguments,
    IReadOnlyList<DockerFlag> Flags,
    int Line,
    int EndLine,
    bool IsExecForm,
    IReadOnlyList<string> ExecArguments,
    IReadOnlyList<DockerHeredoc> Heredocs,
    int StageIndex)
{
    /// <summary>The value of the last flag with this name, or null.</summary>
    public string? GetFlag(string name) => Flags.LastOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>Every value of a repeatable flag such as <c>--mount</c>.</summary>
    public IEnumerable<string> GetFlags(string name) =>
        Flags.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value);

    /// <summary>True for the given keyword (case-insensitive).</summary>
    public bool Is(string keyword) => string.Equals(Keyword, keyword, StringComparison.OrdinalIgnoreCase);
}
