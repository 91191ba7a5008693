using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Processes;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Security;

/// <summary>
/// The Trivy adapter running real processes through <see cref="LocalProcessRunner"/>, with a fake <c>trivy</c>
/// script standing in for the scanner (no vulnerability database or network needed).
/// </summary>
public sealed class TrivyImageScannerTests
{
    private const string Image = "shop-api:3f2c1d0";

    // Built at run time so the repository holds no literal token ("gh" + "p_" split for the same reason).
    private static readonly string Token = "gh" + "p_" + RandomAlnum(36, 7);

    private static readonly string Report = """
        {
          "SchemaVersion": 2,
          "CreatedAt": "2024-04-02T09:12:44.318265104Z",
          "ArtifactName": "shop-api:3f2c1d0",
          "ArtifactType": "container_image",
          "Metadata": { "OS": { "Family": "debian", "Name": "12.5" }, "ImageID": "sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6" },
          "Results": [
            {
              "Target": "shop-api:3f2c1d0 (debian 12.5)",
              "Class": "os-pkgs",
              "Type": "debian",
              "Vulnerabilities": [
                { "VulnerabilityID": "CVE-2024-2511", "PkgName": "openssl", "InstalledVersion": "3.0.11-1~deb12u2", "FixedVersion": "3.0.13-1~deb12u1", "Status": "fixed",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-2511", "Title": "openssl: Unbounded memory growth with session handling in TLSv1.3", "Severity": "HIGH" },
                { "VulnerabilityID": "CVE-2023-45853", "PkgName": "zlib1g", "InstalledVersion": "1:1.2.13.dfsg-1", "Status": "will_not_fix",
                  "Title": "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6", "Severity": "CRITICAL" }
              ]
            },
            {
              "Target": "app/package-lock.json",
              "Class": "lang-pkgs",
              "Type": "npm",
              "Vulnerabilities": [
                { "VulnerabilityID": "GHSA-rv95-896h-c2vc", "PkgName": "express", "InstalledVersion": "4.18.2", "FixedVersion": "4.19.2, 5.0.0-beta.3",
                  "Title": "express: cause malformed URLs to be evaluated", "Severity": "MEDIUM" }
              ]
            },
            {
              "Target": "app/.env",
              "Class": "secret",
              "Secrets": [
                { "RuleID": "github-pat", "Category": "GitHub", "Severity": "CRITICAL", "Title": "GitHub Personal Access Token", "StartLine": 2, "EndLine": 2,
                  "Code": { "Lines": [ { "Number": 2, "Content": "GITHUB_TOKEN=@TOKEN@", "IsCause": true } ] },
                  "Match": "GITHUB_TOKEN=@TOKEN@" }
              ]
            }
          ]
        }
        """.Replace("@TOKEN@", Token, StringComparison.Ordinal);

    [Fact]
    public async Task ScanAsync_TrivyPrintsAReport_ReturnsItsFindingsWithTheVersion()
    {
        using var trivy = FakeTrivy.Printing(Report);

        var report = await Scanner(new TrivyOptions { Path = trivy.Path }).ScanAsync(Image, CancellationToken.None);

        Assert.False(report.Skipped);
        Assert.Null(report.SkipReason);
        Assert.Equal("trivy 0.50.1", report.Scanner);
        Assert.Equal(["github-pat", "CVE-2023-45853", "CVE-2024-2511", "GHSA-rv95-896h-c2vc"], report.Findings.Select(f => f.RuleId));
        var openssl = report.Findings[2];
        Assert.Equal("openssl 3.0.11-1~deb12u2 → fixed in 3.0.13-1~deb12u1 — openssl: Unbounded memory growth with session handling in TLSv1.3", openssl.Title);
        Assert.Equal(Severity.High, openssl.Severity);
        Assert.Equal("shop-api:3f2c1d0 (debian 12.5)", openssl.File);
        Assert.Equal("openssl@3.0.11-1~deb12u2", openssl.RedactedExcerpt);
        Assert.Equal(SecurityFindingKind.Vulnerability, openssl.Kind);
        Assert.Equal(SecurityFindingKind.Secret, report.Findings[0].Kind);
        Assert.True(report.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task ScanAsync_TrivySecret_ValueAppearsNowhereInTheReport()
    {
        using var trivy = FakeTrivy.Printing(Report);

        var report = await Scanner(new TrivyOptions { Path = trivy.Path, Scanners = "vuln,secret" }).ScanAsync(Image, CancellationToken.None);

        Assert.Contains(Token, Report, StringComparison.Ordinal);
        var secret = Assert.Single(report.Findings, f => f.Kind == SecurityFindingKind.Secret);
        Assert.Equal(("github-pat", "app/.env", 2, "[REDACTED]"), (secret.RuleId, secret.File, secret.Line, secret.RedactedExcerpt));
        Assert.DoesNotContain(Token, JsonSerializer.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_Options_BecomeTheCommandLineWithTheImageLast()
    {
        using var trivy = FakeTrivy.Printing(Report);
        var options = new TrivyOptions { Path = trivy.Path, Timeout = "2m", Scanners = "vuln,misconfig", ExtraArgs = ["--offline-scan", "--skip-db-update"] };

        await Scanner(options).ScanAsync(Image, CancellationToken.None);

        Assert.Equal(
            ["image", "--format", "json", "--quiet", "--scanners", "vuln,misconfig", "--timeout", "150s", "--offline-scan", "--skip-db-update", Image],
            trivy.ScanArguments);
    }

    [Fact]
    public async Task ScanAsync_CleanImage_IsNotSkippedAndHasNoFindings()
    {
        using var trivy = FakeTrivy.Printing("""{"SchemaVersion": 2, "ArtifactName": "shop-api:3f2c1d0", "ArtifactType": "container_image", "Results": [{"Target": "shop-api:3f2c1d0 (debian 12.5)", "Class": "os-pkgs", "Type": "debian"}]}""");

        var report = await Scanner(new TrivyOptions { Path = trivy.Path }).ScanAsync(Image, CancellationToken.None);

        Assert.False(report.Skipped);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public async Task ScanAsync_TrivyExitsNonZero_IsSkippedQuotingStandardError()
    {
        using var trivy = FakeTrivy.Failing(
            1,
            "2024-04-02T09:12:44Z\tINFO\tNeed to update DB",
            "2024-04-02T09:12:45Z\tFATAL\tinit error: DB error: failed to download vulnerability DB: OCI repository error: Get \"https://ghcr.io/v2/\": dial tcp: lookup ghcr.io: no such host");

        var report = await Scanner(new TrivyOptions { Path = trivy.Path }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Empty(report.Findings);
        Assert.StartsWith("trivy failed: exit code 1: ", report.SkipReason, StringComparison.Ordinal);
        Assert.Contains("FATAL init error: DB error: failed to download vulnerability DB", report.SkipReason, StringComparison.Ordinal);
        Assert.Equal("trivy 0.50.1", report.Scanner);
    }

    [Fact]
    public async Task ScanAsync_ExitCodeFlagWithACompleteReport_KeepsTheFindings()
    {
        // `--exit-code 1` in extraArgs: Trivy writes the whole report, then exits 1 because it found something.
        using var trivy = FakeTrivy.Printing(Report, exitCode: 1);

        var report = await Scanner(new TrivyOptions { Path = trivy.Path, ExtraArgs = ["--exit-code", "1"] }).ScanAsync(Image, CancellationToken.None);

        Assert.False(report.Skipped);
        Assert.Equal(4, report.Findings.Count);
    }

    [Fact]
    public async Task ScanAsync_UnreadableOutput_IsSkippedAsAFailure()
    {
        using var trivy = FakeTrivy.Printing("shop-api:3f2c1d0 (debian 12.5)\n=============\nTotal: 2 (HIGH: 1, CRITICAL: 1)");

        var report = await Scanner(new TrivyOptions { Path = trivy.Path }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.StartsWith("trivy failed: unreadable output (", report.SkipReason, StringComparison.Ordinal);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public async Task ScanAsync_SlowerThanTheTimeout_IsKilledAndSkipped()
    {
        using var trivy = FakeTrivy.Hanging();
        var stopwatch = Stopwatch.StartNew();

        var report = await Scanner(new TrivyOptions { Path = trivy.Path, Timeout = "2s" }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Equal("trivy failed: did not finish within 2s (security.trivy.timeout)", report.SkipReason);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
        var pid = trivy.Pid;
        Assert.NotNull(pid);
        await AssertExitsAsync(pid.Value);
    }

    [Fact]
    public async Task ScanAsync_CallerCancels_ThrowsAndKillsTrivy()
    {
        using var trivy = FakeTrivy.Hanging();
        using var cts = new CancellationTokenSource();
        var scan = Scanner(new TrivyOptions { Path = trivy.Path, Timeout = "5m" }).ScanAsync(Image, cts.Token);
        while (trivy.Pid is null && !scan.IsCompleted)
        {
            await Task.Delay(50);
        }

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scan);
        await AssertExitsAsync(trivy.Pid!.Value);
    }

    [Fact]
    public async Task ScanAsync_NameNotOnPath_IsSkippedWithTheReason()
    {
        var name = "trivy-deploymind-missing-" + Guid.NewGuid().ToString("N")[..8];

        var report = await Scanner(new TrivyOptions { Path = name }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Equal("trivy", report.Scanner);
        Assert.Equal($"{name} (security.trivy.path) is not on PATH; install trivy to scan images for known vulnerabilities", report.SkipReason);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public async Task ScanAsync_MissingPath_IsSkippedNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "dm-no-such-folder-" + Guid.NewGuid().ToString("N"), "trivy");

        var report = await Scanner(new TrivyOptions { Path = path }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Equal($"trivy was not found at {path} (security.trivy.path); install it to scan images for known vulnerabilities", report.SkipReason);
    }

    [Fact]
    public async Task ScanAsync_NotExecutable_IsSkippedAsAFailureToStart()
    {
        using var trivy = FakeTrivy.NotExecutable();

        var report = await Scanner(new TrivyOptions { Path = trivy.Path }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.StartsWith($"trivy failed: could not start {trivy.Path}: ", report.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_VersionUnavailable_ScannerIsJustTrivy()
    {
        using var trivy = FakeTrivy.WithoutVersion(Report);

        var report = await Scanner(new TrivyOptions { Path = trivy.Path }).ScanAsync(Image, CancellationToken.None);

        Assert.False(report.Skipped);
        Assert.Equal("trivy", report.Scanner);
        Assert.Equal(4, report.Findings.Count);
    }

    [Fact]
    public async Task ScanAsync_Disabled_IsSkippedWithoutRunningTrivy()
    {
        using var trivy = FakeTrivy.Printing(Report);

        var report = await Scanner(new TrivyOptions { Path = trivy.Path, Enabled = false }).ScanAsync(Image, CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Equal("security.trivy.enabled is false", report.SkipReason);
        Assert.Empty(trivy.ScanArguments);
    }

    private static TrivyImageScanner Scanner(TrivyOptions options) =>
        new TrivyImageScanner(
            new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System),
            Options.Create(options),
            TimeProvider.System,
            NullLogger<TrivyImageScanner>.Instance);

    private static async Task AssertExitsAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsRunning(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(IsRunning(pid), $"the fake trivy (pid {pid}) survived");
    }

    private static bool IsRunning(int pid)
    {
        // /proc/<pid> exists until the process is reaped; a zombie counts as gone.
        var status = $"/proc/{pid}/status";
        try
        {
            return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string RandomAlnum(int length, int seed)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var random = new Random(seed);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }
}
