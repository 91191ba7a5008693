using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build;

namespace DeployMind.UnitTests.Build.Linting;

/// <summary>Runs the real linter; a .dockerignore is assumed present unless a test says otherwise.</summary>
internal static class LintTestHelpers
{
    private static readonly DockerfileLinter Linter = new();

    public static IReadOnlyList<LintFinding> Lint(string dockerfile, bool? hasDockerignore = true) =>
        Linter.Lint(dockerfile, new LintContext(hasDockerignore));

    /// <summary>Asserts the rule fires exactly once and returns that finding.</summary>
    public static LintFinding Fires(string ruleId, string dockerfile, bool? hasDockerignore = true)
    {
        var findings = Lint(dockerfile, hasDockerignore).Where(f => f.RuleId == ruleId).ToList();
        return Assert.Single(findings);
    }

    public static void DoesNotFire(string ruleId, string dockerfile, bool? hasDockerignore = true) =>
        Assert.DoesNotContain(Lint(dockerfile, hasDockerignore), f => f.RuleId == ruleId);
}
