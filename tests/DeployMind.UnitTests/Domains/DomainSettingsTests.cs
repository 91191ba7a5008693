using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Domains;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.UnitTests.Domains;

public sealed class DomainSettingsTests
{
    [Fact]
    public void Of_EnvironmentWithOwnDomains_ReplacesTheAppsAndNormalizes()
    {
        var app = new AppOptions { Domains = ["Shop.Example.com."] };
        app.Environments["staging"] = new EnvironmentOptions { Domains = ["staging.example.com", "STAGING.example.com"] };

        Assert.Equal(["shop.example.com"], DomainNames.Of(app, "production", null));
        Assert.Equal(["staging.example.com"], DomainNames.Of(app, "staging", null));
    }

    [Fact]
    public void Of_Preview_ServedAtItsOwnNameOnlyWhenTheEnvironmentHasDomains()
    {
        var app = new AppOptions { Domains = ["shop.example.com"] };

        Assert.Equal(["pr-7.preview.example.com"], DomainNames.Of(app, "production", "pr-7.preview.example.com"));
        Assert.Empty(DomainNames.Of(new AppOptions(), "production", "pr-7.localhost"));
    }

    [Theory]
    [InlineData("*.example.com")]
    [InlineData("shop_example.com")]
    [InlineData("-shop.example.com")]
    [InlineData("shop..example.com")]
    public void Normalize_NotAHostName_NamesTheKey(string name)
    {
        var error = Assert.Throws<InvalidInputException>(() => DomainNames.Normalize([name], "environments.production.domains"));

        Assert.StartsWith("environments.production.domains: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsOptions_Acme_DefaultsToLetsEncryptAndStagingPicksItsDirectory()
    {
        var production = new TlsOptions { Mode = "acme", Acme = new AcmeOptions { Email = "ops@example.com" } }.ToSettings("tls")!;
        var staging = new TlsOptions { Mode = "acme", Acme = new AcmeOptions { Staging = true } }.ToSettings("tls")!;

        Assert.Equal(TlsSource.Acme, production.Source);
        Assert.Equal(AcmeAccount.LetsEncrypt, production.Acme!.Directory);
        Assert.Equal("ops@example.com", production.Acme.Email);
        Assert.True(production.Redirect);
        Assert.Null(production.Hsts);
        Assert.Equal(TimeSpan.FromDays(30), production.RenewBefore);
        Assert.Equal(AcmeAccount.LetsEncryptStaging, staging.Acme!.Directory);
    }

    [Fact]
    public void TlsOptions_PrivateCa_KeepsDirectoryBundleAndHsts()
    {
        var tls = new TlsOptions
        {
            Mode = "acme",
            Acme = new AcmeOptions { Directory = "https://ca.internal:14000/dir", CaBundle = "/etc/ssl/internal-ca.pem" },
            Hsts = "365d",
            RenewBefore = "20d",
        }.ToSettings("tls")!;

        Assert.Equal(new Uri("https://ca.internal:14000/dir"), tls.Acme!.Directory);
        Assert.Equal("/etc/ssl/internal-ca.pem", tls.Acme.CaBundle);
        Assert.Equal(TimeSpan.FromDays(365), tls.Hsts);
        Assert.Equal(TimeSpan.FromDays(20), tls.RenewBefore);
    }

    [Theory]
    [InlineData("acme", "http://ca.internal/dir", null, null, "tls.acme.directory")]
    [InlineData("files", null, null, "/k.pem", "tls.certificate")]
    [InlineData("files", null, "relative.pem", "/k.pem", "tls.certificate")]
    [InlineData("letsencrypt", null, null, null, "tls.mode")]
    public void TlsOptions_Invalid_NamesTheKey(string mode, string? directory, string? certificate, string? key, string expectedKey)
    {
        var options = new TlsOptions { Mode = mode, Acme = new AcmeOptions { Directory = directory }, Certificate = certificate, Key = key };

        var error = Assert.Throws<InvalidInputException>(() => options.ToSettings("tls"));

        Assert.StartsWith(expectedKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsOptions_NoneOrFiles_AsConfigured()
    {
        Assert.Null(new TlsOptions().ToSettings("tls"));
        var files = new TlsOptions { Mode = "files", Certificate = "/etc/ssl/shop.pem", Key = "/etc/ssl/shop.key" }.ToSettings("tls")!;
        Assert.Equal(TlsSource.Files, files.Source);
        Assert.Equal("/etc/ssl/shop.pem", files.CertificateFile);
        Assert.Equal("/etc/ssl/shop.key", files.KeyFile);
        Assert.Null(files.Acme);
    }

    [Fact]
    public void TlsOf_EnvironmentTls_ReplacesTheApps()
    {
        var app = new AppOptions { Tls = new TlsOptions { Mode = "acme" } };
        app.Environments["staging"] = new EnvironmentOptions { Tls = new TlsOptions { Mode = "acme", Acme = new AcmeOptions { Staging = true } } };

        Assert.Equal(AcmeAccount.LetsEncrypt, DomainNames.TlsOf(app, "production")!.Acme!.Directory);
        Assert.Equal(AcmeAccount.LetsEncryptStaging, DomainNames.TlsOf(app, "staging")!.Acme!.Directory);
    }
}
