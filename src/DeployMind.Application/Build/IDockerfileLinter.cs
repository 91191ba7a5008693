using DeployMind.Domain.Build;

namespace DeployMind.Application.Build;

/// <summary>Checks a Dockerfile against DeployMind's rules (hadolint/Trivy in spirit).</summary>
public interface IDockerfileLinter
{
    /// <summary>Lints Dockerfile text.</summary>
    /// <param name="dockerfile">The Dockerfile's content.</param>
    /// <param name="context">What is known around it (whether a .dockerignore exists); null when unknown.</param>
    /// <returns>Findings ordered by line, then rule id; inline <c># deploymind ignore=RULE</c> pragmas already applied.</returns>
    IReadOnlyList<LintFinding> Lint(string dockerfile, LintContext? context = null);
}

/// <summary>Facts about a Dockerfile's surroundings that some rules need.</summary>
/// <param name="HasDockerignore">The build context has a .dockerignore (null: unknown, the rule is not checked).</param>
public sealed record LintContext(bool? HasDockerignore);
