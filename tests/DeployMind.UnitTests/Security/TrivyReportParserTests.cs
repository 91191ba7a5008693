using System.Text.Json;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Security;

namespace DeployMind.UnitTests.Security;

/// <summary>Trivy's JSON report (SchemaVersion 2) to findings.</summary>
public sealed class TrivyReportParserTests
{
    [Fact]
    public void Parse_ImageReport_MapsVulnerabilitiesMisconfigurationsAndSecrets()
    {
        var findings = TrivyReportParser.Parse(TrivyFixtures.Image);

        Assert.Equal(
            ["github-pat", "CVE-2023-45853", "DS002", "CVE-2024-2511", "GHSA-rv95-896h-c2vc", "CVE-2022-0563", "TEMP-0841856-B18BAF"],
            findings.Select(f => f.RuleId));
        Assert.Equal(5, findings.Count(f => f.Kind == SecurityFindingKind.Vulnerability));
        Assert.Single(findings, f => f.Kind == SecurityFindingKind.RiskyConfiguration);
        Assert.Single(findings, f => f.Kind == SecurityFindingKind.Secret);
    }

    [Fact]
    public void Parse_VulnerabilityWithFix_NamesPackageVersionsAndTitle()
    {
        var finding = Assert.Single(TrivyReportParser.Parse(TrivyFixtures.Image), f => f.RuleId == "CVE-2024-2511");

        Assert.Equal("openssl 3.0.11-1~deb12u2 → fixed in 3.0.13-1~deb12u1 — openssl: Unbounded memory growth with session handling in TLSv1.3", finding.Title);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal(TrivyFixtures.OsTarget, finding.File);
        Assert.Equal((0, 0), (finding.Line, finding.Column));
        Assert.Equal("openssl@3.0.11-1~deb12u2", finding.RedactedExcerpt);
        Assert.Equal(SecurityFindingKind.Vulnerability, finding.Kind);
    }

    [Fact]
    public void Parse_VulnerabilityWithoutFix_SaysNoFixYet()
    {
        var finding = Assert.Single(TrivyReportParser.Parse(TrivyFixtures.Image), f => f.RuleId == "CVE-2023-45853");

        Assert.StartsWith("zlib1g 1:1.2.13.dfsg-1 → no fix yet — zlib: integer overflow", finding.Title, StringComparison.Ordinal);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("zlib1g@1:1.2.13.dfsg-1", finding.RedactedExcerpt);
    }

    [Fact]
    public void Parse_LanguagePackage_UsesTheLockfileAsFileAndKeepsGhsaId()
    {
        var finding = Assert.Single(TrivyReportParser.Parse(TrivyFixtures.Image), f => f.RuleId == "GHSA-rv95-896h-c2vc");

        Assert.Equal(TrivyFixtures.NpmTarget, finding.File);
        Assert.Equal("express 4.18.2 → fixed in 4.19.2, 5.0.0-beta.3 — express: cause malformed URLs to be evaluated", finding.Title);
        Assert.Equal(Severity.Medium, finding.Severity);
    }

    [Fact]
    public void Parse_SameIdPackageAndTarget_IsReportedOnce()
    {
        var findings = TrivyReportParser.Parse(TrivyFixtures.Image);

        Assert.Single(findings, f => f.RuleId == "CVE-2024-2511");
    }

    [Fact]
    public void Parse_SameIdInAnotherPackageOrTarget_IsKept()
    {
        const string Json = """
            {"SchemaVersion": 2, "ArtifactName": "app:1", "Results": [
              {"Target": "app:1 (alpine 3.19.1)", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-2511", "PkgName": "libssl3", "InstalledVersion": "3.1.4-r5", "FixedVersion": "3.1.4-r6", "Severity": "LOW"},
                {"VulnerabilityID": "CVE-2024-2511", "PkgName": "libcrypto3", "InstalledVersion": "3.1.4-r5", "FixedVersion": "3.1.4-r6", "Severity": "LOW"}]},
              {"Target": "usr/lib/other (alpine 3.19.1)", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-2511", "PkgName": "libssl3", "InstalledVersion": "3.1.4-r5", "Severity": "LOW"}]}]}
            """;

        Assert.Equal(3, TrivyReportParser.Parse(Json).Count);
    }

    [Fact]
    public void Parse_FailedMisconfiguration_CarriesCheckLineAndResolutionButNotPasses()
    {
        var findings = TrivyReportParser.Parse(TrivyFixtures.Image);

        var finding = Assert.Single(findings, f => f.Kind == SecurityFindingKind.RiskyConfiguration);
        Assert.Equal("DS002", finding.RuleId);
        Assert.Equal("Image user should not be 'root'", finding.Title);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal("app/Dockerfile", finding.File);
        Assert.Equal(12, finding.Line);
        Assert.Equal("Add 'USER <non root user name>' line to the Dockerfile", finding.RedactedExcerpt);
        Assert.DoesNotContain(findings, f => f.RuleId == "DS026"); // Status PASS
    }

    [Fact]
    public void Parse_TrivySecret_KeepsRuleAndLocationButNeverTheValue()
    {
        var findings = TrivyReportParser.Parse(TrivyFixtures.Image);

        var finding = Assert.Single(findings, f => f.Kind == SecurityFindingKind.Secret);
        Assert.Equal("github-pat", finding.RuleId);
        Assert.Equal("GitHub Personal Access Token", finding.Title);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("app/.env", finding.File);
        Assert.Equal(2, finding.Line);
        Assert.Equal("[REDACTED]", finding.RedactedExcerpt);

        var token = TrivyFixtures.Token;
        Assert.Contains(token, TrivyFixtures.Image, StringComparison.Ordinal); // the fixture does hold it
        Assert.DoesNotContain(token, JsonSerializer.Serialize(findings), StringComparison.Ordinal);
        Assert.DoesNotContain(token[..12], JsonSerializer.Serialize(findings), StringComparison.Ordinal);
        var report = new SecretScanReport(findings, 0, [], 0, TimeSpan.Zero);
        Assert.DoesNotContain(token, SecurityReportWriter.ToJson(report), StringComparison.Ordinal);
        Assert.DoesNotContain(token, SecurityReportWriter.ToSarif(report), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CRITICAL", Severity.Critical)]
    [InlineData("HIGH", Severity.High)]
    [InlineData("MEDIUM", Severity.Medium)]
    [InlineData("LOW", Severity.Low)]
    [InlineData("UNKNOWN", Severity.Info)]
    [InlineData("high", Severity.High)]
    [InlineData("", Severity.Info)]
    [InlineData(null, Severity.Info)]
    [InlineData("SEVERE", Severity.Info)]
    public void MapSeverity_TrivySeverity_MapsToOurs(string? trivy, Severity expected)
    {
        Assert.Equal(expected, TrivyReportParser.MapSeverity(trivy));
    }

    [Fact]
    public void Parse_UnknownSeverity_IsInfo()
    {
        var finding = Assert.Single(TrivyReportParser.Parse(TrivyFixtures.Image), f => f.RuleId == "TEMP-0841856-B18BAF");

        Assert.Equal(Severity.Info, finding.Severity);
    }

    [Fact]
    public void Parse_Findings_AreMostSevereFirst()
    {
        var severities = TrivyReportParser.Parse(TrivyFixtures.Image).Select(f => f.Severity).ToList();

        Assert.Equal(severities.OrderByDescending(s => s), severities);
    }

    [Theory]
    [InlineData("""{"SchemaVersion": 2, "ArtifactName": "distroless:1", "ArtifactType": "container_image"}""")]
    [InlineData("""{"SchemaVersion": 2, "ArtifactName": "app:1", "Results": []}""")]
    [InlineData("""{"SchemaVersion": 2, "ArtifactName": "app:1", "Results": [{"Target": "app:1 (alpine 3.19.1)", "Class": "os-pkgs", "Type": "alpine", "Vulnerabilities": null}]}""")]
    [InlineData("""{"SchemaVersion": 2, "ArtifactName": "app:1", "Results": [{"Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm"}]}""")]
    public void Parse_CleanReport_HasNoFindings(string json)
    {
        Assert.Empty(TrivyReportParser.Parse(json));
    }

    [Fact]
    public void Parse_ResultWithoutTarget_UsesTheArtifactName()
    {
        const string Json = """{"SchemaVersion": 2, "ArtifactName": "app:1", "Results": [{"Vulnerabilities": [{"VulnerabilityID": "CVE-2024-0001", "PkgName": "musl", "InstalledVersion": "1.2.4-r2", "Severity": "LOW"}]}]}""";

        Assert.Equal("app:1", Assert.Single(TrivyReportParser.Parse(Json)).File);
    }

    [Fact]
    public void Parse_LongMultiLineTitle_IsOneTrimmedLine()
    {
        var title = "curl: a flaw\nspanning  lines\t" + new string('x', 300);
        var json = JsonSerializer.Serialize(new
        {
            SchemaVersion = 2,
            Results = new[] { new { Target = "t", Vulnerabilities = new[] { new { VulnerabilityID = "CVE-1", PkgName = "curl", InstalledVersion = "8.5.0", Title = title, Severity = "LOW" } } } },
        });

        var finding = Assert.Single(TrivyReportParser.Parse(json));

        Assert.StartsWith("curl 8.5.0 → no fix yet — curl: a flaw spanning lines xxx", finding.Title, StringComparison.Ordinal);
        Assert.EndsWith("…", finding.Title, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', finding.Title);
        Assert.True(finding.Title.Length < 160, finding.Title);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("FATAL image scan error")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"ArtifactName": "app:1"}""")]
    [InlineData("""{"SchemaVersion": 3, "Results": []}""")]
    [InlineData("""{"SchemaVersion": 2, "Results": {"Target": "x"}}""")]
    [InlineData("""{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1",""")]
    public void Parse_NotAReport_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => TrivyReportParser.Parse(text));
    }

    [Fact]
    public void Parse_TruncatedReportHoldingASecret_DoesNotQuoteIt()
    {
        var truncated = TrivyFixtures.Image[..(TrivyFixtures.Image.IndexOf(TrivyFixtures.Token, StringComparison.Ordinal) + 10)];

        var ex = Assert.Throws<FormatException>(() => TrivyReportParser.Parse(truncated));

        Assert.DoesNotContain(TrivyFixtures.Token[..10], ex.Message, StringComparison.Ordinal);
    }
}
