using System.Text.Json;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Security;

namespace DeployMind.UnitTests.Security;

/// <summary>JSON and SARIF shapes of a scan report.</summary>
public sealed class SecurityReportWriterTests
{
    private static readonly SecretScanReport Report = new(
        [
            new SecurityFinding("DMS003", "GitHub token (classic)", Severity.Critical, "src/app.py", 12, 9, "TOKEN = 'ghp_…[REDACTED]'"),
            new SecurityFinding("DMK001", "Kubernetes container runs privileged", Severity.High, "k8s/api.yaml", 22, 13, "privileged: true") { Kind = SecurityFindingKind.RiskyConfiguration },
        ],
        FilesScanned: 40,
        FilesSkipped: [new SkippedFile("node_modules/", SkipReason.LockfileOrVendored)],
        BytesScanned: 123_456,
        Duration: TimeSpan.FromMilliseconds(87));

    [Fact]
    public void ToJson_Report_HasCountsFindingsAndSkips()
    {
        using var json = JsonDocument.Parse(SecurityReportWriter.ToJson(Report));
        var root = json.RootElement;

        Assert.Equal(40, root.GetProperty("filesScanned").GetInt32());
        Assert.Equal(123_456, root.GetProperty("bytesScanned").GetInt64());
        var first = root.GetProperty("findings")[0];
        Assert.Equal("DMS003", first.GetProperty("ruleId").GetString());
        Assert.Equal("critical", first.GetProperty("severity").GetString());
        Assert.Equal("secret", first.GetProperty("kind").GetString());
        Assert.Equal(12, first.GetProperty("line").GetInt32());
        Assert.Equal(9, first.GetProperty("column").GetInt32());
        Assert.Equal("TOKEN = 'ghp_…[REDACTED]'", first.GetProperty("excerpt").GetString());
        Assert.Equal("riskyConfiguration", root.GetProperty("findings")[1].GetProperty("kind").GetString());
        Assert.Equal("lockfileOrVendored", root.GetProperty("skipped")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public void ToSarif_Report_IsSarif210WithRulesRegionsAndRedactedMessages()
    {
        using var sarif = JsonDocument.Parse(SecurityReportWriter.ToSarif(Report));
        var root = sarif.RootElement;

        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = root.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules");
        Assert.Equal(SecurityReportWriter.Rules.Count, rules.GetArrayLength());
        var result = run.GetProperty("results")[0];
        Assert.Equal("DMS003", result.GetProperty("ruleId").GetString());
        Assert.Equal("DMS003", rules[result.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Contains("[REDACTED]", result.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("src/app.py", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(12, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal(9, location.GetProperty("region").GetProperty("startColumn").GetInt32());
    }

    [Fact]
    public void Rules_Catalogue_CoversSecretAndConfigurationRulesOnce()
    {
        var ids = SecurityReportWriter.Rules.Select(r => r.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("DMS022", ids);
        Assert.Contains("DMC005", ids);
        Assert.Contains("DMK006", ids);
    }
}
