using DeployMind.Infrastructure.Processes;
using DeployMind.Infrastructure.Security;

namespace DeployMind.UnitTests.Security;

/// <summary>The trivy command lines, as data.</summary>
public sealed class TrivyCommandsTests
{
    [Fact]
    public void ScanImage_Defaults_JsonQuietVulnScannerAndImageLast()
    {
        var spec = TrivyCommands.ScanImage("/usr/local/bin/trivy", "shop-api:3f2c1d0", new TrivyOptions(), TimeSpan.FromMinutes(5));

        Assert.Equal("/usr/local/bin/trivy", spec.Program);
        Assert.Equal(["image", "--format", "json", "--quiet", "--scanners", "vuln", "--timeout", "330s", "shop-api:3f2c1d0"], spec.Arguments);
    }

    [Fact]
    public void ScanImage_ScannersAndExtraArgs_ComeBeforeTheImage()
    {
        var options = new TrivyOptions { Scanners = "vuln, secret ,misconfig", ExtraArgs = ["--offline-scan", "--skip-db-update"] };

        var spec = TrivyCommands.ScanImage("trivy", "registry.example.com/shop/api:1.2.3", options, TimeSpan.FromSeconds(90.5));

        Assert.Equal(
            ["image", "--format", "json", "--quiet", "--scanners", "vuln,secret,misconfig", "--timeout", "121s", "--offline-scan", "--skip-db-update", "registry.example.com/shop/api:1.2.3"],
            spec.Arguments);
    }

    [Fact]
    public void ScanImage_ImageWithShellCharacters_StaysOneArgument()
    {
        var spec = TrivyCommands.ScanImage("trivy", "app:$(id)", new TrivyOptions(), TimeSpan.FromMinutes(1));

        Assert.Equal("app:$(id)", spec.Arguments[^1]);
        Assert.EndsWith("'app:$(id)'", spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Version_IsDashDashVersion()
    {
        Assert.Equal(CommandSpec.Create("trivy", "--version").Arguments, TrivyCommands.Version("trivy").Arguments);
    }
}
