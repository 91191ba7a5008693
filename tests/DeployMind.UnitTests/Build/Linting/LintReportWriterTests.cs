using System.Text.Json;
using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Build.Linting;

namespace DeployMind.UnitTests.Build.Linting;

public sealed class LintReportWriterTests
{
    private static readonly LintFinding[] Findings =
    [
        new("DM001", Severity.Medium, LintCategory.Reproducibility, 1, "FROM nginx has no tag.", "Pin a version: FROM nginx:1.27-alpine."),
        new("DM002", Severity.High, LintCategory.Security, 7, "The final stage never sets USER.", "Add USER 10001."),
        new("DM024", Severity.Info, LintCategory.Style, 3, "MAINTAINER is \"deprecated\" <x>.", "Use LABEL."),
    ];

    [Fact]
    public void ToJson_Findings_WritesCamelCaseArray()
    {
        var json = LintReportWriter.ToJson(Findings, "services/api/Dockerfile");

        using var document = JsonDocument.Parse(json);
        var items = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        var first = items[1];
        Assert.Equal("DM002", first.GetProperty("ruleId").GetString());
        Assert.Equal("high", first.GetProperty("severity").GetString());
        Assert.Equal("security", first.GetProperty("category").GetString());
        Assert.Equal(7, first.GetProperty("line").GetInt32());
        Assert.Equal("The final stage never sets USER.", first.GetProperty("message").GetString());
        Assert.Equal("Add USER 10001.", first.GetProperty("fix").GetString());
        Assert.Equal("services/api/Dockerfile", first.GetProperty("file").GetString());
        Assert.Equal("MAINTAINER is \"deprecated\" <x>.", items[2].GetProperty("message").GetString());
    }

    [Fact]
    public void ToJson_NoFindings_WritesEmptyArray()
    {
        using var document = JsonDocument.Parse(LintReportWriter.ToJson([], "Dockerfile"));

        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        Assert.Equal(0, document.RootElement.GetArrayLength());
    }

    [Fact]
    public void ToSarif_Findings_WritesValidSarif210Structure()
    {
        var sarif = LintReportWriter.ToSarif(Findings, @"services\api\Dockerfile");

        using var document = JsonDocument.Parse(sarif);
        var root = document.RootElement;
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", root.GetProperty("$schema").GetString());
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("DeployMind", driver.GetProperty("name").GetString());

        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(LintRuleCatalog.Rules.Select(r => r.Id), rules.Select(r => r.GetProperty("id").GetString()));
        var rootRule = rules.Single(r => r.GetProperty("id").GetString() == "DM002");
        Assert.Equal("ContainerRunsAsRoot", rootRule.GetProperty("name").GetString());
        Assert.False(string.IsNullOrWhiteSpace(rootRule.GetProperty("shortDescription").GetProperty("text").GetString()));
        Assert.Contains("USER", rootRule.GetProperty("help").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("error", rootRule.GetProperty("defaultConfiguration").GetProperty("level").GetString());
        Assert.Contains("security", rootRule.GetProperty("properties").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.Equal(["warning", "error", "note"], results.Select(r => r.GetProperty("level").GetString()));
        var result = results[1];
        Assert.Equal("DM002", result.GetProperty("ruleId").GetString());
        Assert.Equal(2, result.GetProperty("ruleIndex").GetInt32());
        Assert.Equal("The final stage never sets USER.", result.GetProperty("message").GetProperty("text").GetString());
        var location = Assert.Single(result.GetProperty("locations").EnumerateArray()).GetProperty("physicalLocation");
        Assert.Equal("services/api/Dockerfile", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(7, location.GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Theory]
    [InlineData(Severity.Critical, "error")]
    [InlineData(Severity.High, "error")]
    [InlineData(Severity.Medium, "warning")]
    [InlineData(Severity.Low, "note")]
    [InlineData(Severity.Info, "note")]
    public void Level_Severity_MapsToSarifLevel(Severity severity, string level) =>
        Assert.Equal(level, LintReportWriter.Level(severity));

    [Fact]
    public void Rules_Catalogue_HasUniqueOrderedIdsAndCompleteDescriptors()
    {
        var rules = LintRuleCatalog.Rules;

        Assert.Equal(rules.Select(r => r.Id).Distinct().Count(), rules.Count);
        Assert.Equal(rules.Select(r => r.Id).Order(StringComparer.Ordinal), rules.Select(r => r.Id));
        Assert.All(rules, r =>
        {
            Assert.Matches("^DM[0-9]{3}$", r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Title));
            Assert.False(string.IsNullOrWhiteSpace(r.Description));
            Assert.False(string.IsNullOrWhiteSpace(r.Fix));
            Assert.Matches("^[A-Z][A-Za-z]+$", r.Name);
        });
        Assert.Equal("hadolint DL3006, DL3007; Trivy DS001", LintRuleCatalog.Find("dm001")!.Equivalent);
        Assert.Equal("-", LintRuleCatalog.Find("DM003")!.Equivalent);
    }

    [Fact]
    public void Rules_Catalogue_ContainsTheOriginalSevenChecks()
    {
        string[] original = ["DM001", "DM002", "DM003", "DM004", "DM005", "DM006", "DM007"];

        Assert.All(original, id => Assert.NotNull(LintRuleCatalog.Find(id)));
        Assert.Equal(Severity.High, LintRuleCatalog.Find("DM002")!.Severity);
    }
}
