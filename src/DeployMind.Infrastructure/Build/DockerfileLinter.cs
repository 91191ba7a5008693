using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Linting;

namespace DeployMind.Infrastructure.Build;

/// <summary>
/// Lints a Dockerfile with the rules in <see cref="LintRuleCatalog"/> (hadolint/Trivy in spirit).
/// Stateless: every call parses and checks its own input, so one instance serves all callers.
/// </summary>
internal sealed class DockerfileLinter : IDockerfileLinter
{
    private static readonly Action<LintSession>[] Checks =
    [
        BaseImageCheck.Check,
        UserCheck.Check,
        StageChecks.Check,
        PackageManagerChecks.Check,
        ShellChecks.Check,
        InstructionChecks.Check,
        SecretChecks.Check,
    ];

    public IReadOnlyList<LintFinding> Lint(string dockerfile, LintContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var parsed = DockerfileParser.Parse(dockerfile);
        var session = new LintSession(parsed, context);

        if (parsed.Error is { } error)
        {
            session.Report(LintRuleCatalog.ParseError, error.Line, error.Message, error.Fix);
        }
        else
        {
            foreach (var check in Checks)
            {
                check(session);
            }
        }

        var pragmas = LintPragmas.From(parsed);
        return
        [
            .. session.Findings
                .Where(f => !pragmas.Suppresses(f))
                .Distinct()
                .OrderBy(f => f.Line)
                .ThenBy(f => f.RuleId, StringComparer.Ordinal)
                .ThenBy(f => f.Message, StringComparer.Ordinal),
        ];
    }
}
