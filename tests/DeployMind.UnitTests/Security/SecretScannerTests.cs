using System.Text;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static DeployMind.UnitTests.Security.FakeSecrets;

namespace DeployMind.UnitTests.Security;

/// <summary>Whole-tree behaviour: what is skipped and why, ignore files, inline allows, ordering, counts.</summary>
public sealed class SecretScannerTests
{
    [Fact]
    public async Task ScanAsync_Tree_FindsSecretsSortedByFileAndLine()
    {
        using var tree = new TempTree()
            .Write("src/b.py", "x = 1\nTOKEN = '" + GitHubClassic + "'\n")
            .Write("src/a.js", "const a = 1;\nconst b = 2;\nconst k = \"" + StripeLive + "\";\nconst g = \"" + GoogleApiKey + "\";\n")
            .Write("README.md", "nothing to see\n");

        var report = await tree.ScanSecretsAsync();

        Assert.Equal(3, report.FilesScanned);
        Assert.Equal(["src/a.js:3:DMS009", "src/a.js:4:DMS011", "src/b.py:2:DMS003"], report.Findings.Select(f => $"{f.File}:{f.Line}:{f.RuleId}"));
        Assert.True(report.BytesScanned > 0);
        Assert.Empty(report.FilesSkipped);
    }

    [Fact]
    public async Task ScanAsync_BinaryFile_SkippedAsBinary()
    {
        var bytes = Encoding.UTF8.GetBytes("\0\u0001PNG " + GitHubClassic);
        using var tree = new TempTree().WriteBytes("assets/logo.png", bytes);

        var report = await tree.ScanSecretsAsync();

        Assert.Empty(report.Findings);
        Assert.Equal(0, report.FilesScanned);
        Assert.Equal(new SkippedFile("assets/logo.png", SkipReason.Binary), Assert.Single(report.FilesSkipped));
    }

    [Theory]
    [InlineData("package-lock.json")]
    [InlineData("yarn.lock")]
    [InlineData("pnpm-lock.yaml")]
    [InlineData("poetry.lock")]
    [InlineData("Cargo.lock")]
    [InlineData("go.sum")]
    [InlineData("composer.lock")]
    [InlineData("Gemfile.lock")]
    [InlineData("flake.lock")]
    [InlineData("static/app.min.js")]
    public async Task ScanAsync_LockfileOrMinified_SkippedWithoutFindings(string path)
    {
        using var tree = new TempTree().Write(path, "token: " + GitHubClassic + "\n");

        var report = await tree.ScanSecretsAsync();

        Assert.Empty(report.Findings);
        Assert.Equal(new SkippedFile(path, SkipReason.LockfileOrVendored), Assert.Single(report.FilesSkipped));
    }

    [Theory]
    [InlineData("node_modules")]
    [InlineData("vendor")]
    [InlineData(".venv")]
    [InlineData(".git")]
    [InlineData("dist")]
    [InlineData("obj")]
    public async Task ScanAsync_VendoredFolder_SkippedAsAFolder(string folder)
    {
        using var tree = new TempTree().Write(folder + "/pkg/index.js", "token: " + GitHubClassic + "\n");

        var report = await tree.ScanSecretsAsync();

        Assert.Empty(report.Findings);
        Assert.Equal(new SkippedFile(folder + "/", SkipReason.LockfileOrVendored), Assert.Single(report.FilesSkipped));
    }

    [Fact]
    public async Task ScanAsync_FileOverSizeLimit_SkippedAsTooLarge()
    {
        using var tree = new TempTree()
            .Write("big.txt", "token: " + GitHubClassic + "\n" + new string('a', 500))
            .Write("small.txt", "ok\n");

        var report = await tree.ScanSecretsAsync(new SecretScanOptions { MaxFileBytes = 200 });

        Assert.Empty(report.Findings);
        Assert.Equal(1, report.FilesScanned);
        Assert.Equal(new SkippedFile("big.txt", SkipReason.TooLarge), Assert.Single(report.FilesSkipped));
    }

    [Fact]
    public async Task ScanAsync_DeploymindIgnore_ExcludesMatchingPathsAndHonoursNegation()
    {
        var line = "token: " + GitLab + "\n";
        using var tree = new TempTree()
            .Write(".deploymindignore", "# test fixtures\nfixtures/\n*.pem\n!keep.pem\ndocs/**/example.md\n/root-only.txt\n")
            .Write("fixtures/deep/creds.env", line)
            .Write("certs/server.pem", line)
            .Write("certs/keep.pem", line)
            .Write("docs/a/b/example.md", line)
            .Write("root-only.txt", line)
            .Write("sub/root-only.txt", line);

        var report = await tree.ScanSecretsAsync();

        Assert.Equal(["certs/keep.pem", "sub/root-only.txt"], report.Findings.Select(f => f.File));
        Assert.Equal(
            ["certs/server.pem", "docs/a/b/example.md", "fixtures/", "root-only.txt"],
            report.FilesSkipped.Where(s => s.Reason == SkipReason.Ignored).Select(s => s.Path));
    }

    [Fact]
    public async Task ScanAsync_InlineAllow_SuppressesSameLineAndLineBelow()
    {
        using var tree = new TempTree().Write("app.env", string.Join('\n',
            "A=" + GitHubClassic + " # deploymind:allow",
            "# deploymind:allow",
            "B=" + GitLab,
            "C=" + Groq + " # deploymind:allow DMS003",
            "D=" + Npm + " # deploymind:allow DMS002, DMS015",
            "E=" + StripeLive,
            string.Empty));

        var report = await tree.ScanSecretsAsync();

        Assert.Equal(["4:DMS014", "6:DMS009"], report.Findings.Select(f => $"{f.Line}:{f.RuleId}"));
    }

    [Fact]
    public async Task ScanAsync_Cancelled_Throws()
    {
        using var tree = new TempTree().Write("a.txt", "x\n");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var scanner = new SecretScanner(Microsoft.Extensions.Options.Options.Create(new SecretScanOptions()), TimeProvider.System);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scanner.ScanAsync(tree.Root, cts.Token));
    }

    [Theory]
    [MemberData(nameof(SecretRuleTests.TruePositives), MemberType = typeof(SecretRuleTests))]
    public async Task ScanAsync_EveryRule_SecretAbsentFromFindingsJsonAndSarif(string ruleId, string line, string secret, int column)
    {
        using var tree = new TempTree().Write("conf/app.cfg", "# header\n" + line + "\n");

        var report = await tree.ScanSecretsAsync();
        var json = SecurityReportWriter.ToJson(report);
        var sarif = SecurityReportWriter.ToSarif(report);

        var finding = Assert.Single(report.Findings, f => f.RuleId == ruleId);
        Assert.Equal((2, column), (finding.Line, finding.Column));
        Assert.All(report.Findings, f => SecretRuleTests.AssertNoSecret(f, secret));
        Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, sarif, StringComparison.Ordinal);
        Assert.Contains(ruleId, sarif, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDeployMindInfrastructure_Scanners_AreRegistered()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        Assert.IsType<SecretScanner>(services.GetRequiredService<ISecretScanner>());
        Assert.IsType<RiskyConfigScanner>(services.GetRequiredService<IRiskyConfigScanner>());
    }

    [Fact]
    public void IgnorePatterns_Globs_MatchLikeGitignore()
    {
        var patterns = IgnorePatterns.Parse("*.log\nbuild-output/\nsrc/**/gen/*.cs\n?.tmp\n[ab].txt\n");

        Assert.True(patterns.IsIgnored("deep/x/app.log", isDirectory: false));
        Assert.True(patterns.IsIgnored("x/build-output", isDirectory: true));
        Assert.False(patterns.IsIgnored("x/build-output", isDirectory: false));
        Assert.True(patterns.IsIgnored("src/gen/a.cs", isDirectory: false));
        Assert.True(patterns.IsIgnored("src/a/b/gen/a.cs", isDirectory: false));
        Assert.False(patterns.IsIgnored("lib/gen/a.cs", isDirectory: false));
        Assert.True(patterns.IsIgnored("q.tmp", isDirectory: false));
        Assert.False(patterns.IsIgnored("qq.tmp", isDirectory: false));
        Assert.True(patterns.IsIgnored("b.txt", isDirectory: false));
        Assert.False(patterns.IsIgnored("c.txt", isDirectory: false));
    }

    [Fact]
    public void Severity_StripeTestKey_IsLowerThanLiveKey()
    {
        var rules = SecretRuleCatalog.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);

        Assert.Equal(Severity.Low, rules["DMS010"].Severity);
        Assert.Equal(Severity.Critical, rules["DMS009"].Severity);
    }
}
