namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>A heredoc attached to RUN, COPY or ADD (<c>&lt;&lt;EOF</c> ... <c>EOF</c>).</summary>
/// <param name="Delimiter">The terminator word, without quotes.</param>
/// <param name="StripLeadingTabs">The <c>&lt;&lt;-EOF</c> form: leading tabs are removed from body lines.</param>
/// <param name="IsQuoted">The delimiter was quoted (<c>&lt;&lt;"EOF"</c>): no variable expansion in the body.</param>
/// <param name="Body">The lines between the marker line and the terminator, joined with '\n'.</param>
/// <param name="FirstBodyLine">1-based line of the body's first line.</param>
internal sealed record DockerHeredoc(string Delimiter, bool StripLeadingTabs, bool IsQuoted, string Body, int FirstBodyLine);
