using DeployMind.Application.Build;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build;

// PLACEHOLDER — replaced by the real linter.
internal sealed class DockerfileLinter : IDockerfileLinter
{
    public IReadOnlyList<LintFinding> Lint(string dockerfile, LintContext? context = null) => [];
}
