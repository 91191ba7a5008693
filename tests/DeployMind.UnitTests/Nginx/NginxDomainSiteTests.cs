using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.UnitTests.Nginx;

/// <summary>Sites with domains, their route line, and the certbot/openssl commands, rendered without any host.</summary>
public sealed class NginxDomainSiteTests
{
    private static readonly SiteTls Acme = new()
    {
        Source = TlsSource.Acme,
        Acme = new AcmeAccount(new Uri("https://acme.example.com/dir"), "ops@example.com") { CaBundle = "/etc/ssl/private-ca.pem" },
        Hsts = TimeSpan.FromDays(365),
    };

    private static readonly RouteSpec Shop = new("shop", 8080, [new("127.0.0.1:5001", 1, "r1")])
    {
        Domains = ["shop.example.com", "www.shop.example.com"],
        Tls = Acme,
    };

    private static readonly NginxSiteDomains Shared = new("203.0.113.10", 80, 443, "/var/lib/deploymind/acme", null, null);

    [Fact]
    public void RenderSite_DomainsWithoutCertificateYet_ServesHttpByNameWithChallengeAndKeepsOwnPort()
    {
        var site = NginxConfigRenderer.RenderSite(Shop, "127.0.0.1", "/logs/shop.access.log", 16, "g1", Shared);

        Assert.Contains("    listen 127.0.0.1:8080;\n", site, StringComparison.Ordinal);
        Assert.Contains("    listen 203.0.113.10:80;\n    server_name shop.example.com www.shop.example.com;\n", site, StringComparison.Ordinal);
        Assert.Contains("    location ^~ /.well-known/acme-challenge/ {\n        root \"/var/lib/deploymind/acme\";\n", site, StringComparison.Ordinal);
        Assert.DoesNotContain(":443", site, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl_certificate", site, StringComparison.Ordinal);
        Assert.DoesNotContain("return 301", site, StringComparison.Ordinal);
        Assert.Equal(2, site.Split("proxy_pass http://dm_shop;").Length - 1);
    }

    [Fact]
    public void RenderSite_DomainsWithCertificate_RedirectsHttpAndServesHttpsWithHsts()
    {
        var site = NginxConfigRenderer.RenderSite(Shop, "127.0.0.1", "/logs/shop.access.log", 16, "g1", Shared with { CertificateFile = "/tls/live/shop/fullchain.pem", KeyFile = "/tls/live/shop/privkey.pem" });

        Assert.Contains("        return 301 https://$host$request_uri;\n", site, StringComparison.Ordinal);
        Assert.Contains("    listen 203.0.113.10:443 ssl http2;\n    server_name shop.example.com www.shop.example.com;\n", site, StringComparison.Ordinal);
        Assert.Contains("    ssl_certificate \"/tls/live/shop/fullchain.pem\";\n    ssl_certificate_key \"/tls/live/shop/privkey.pem\";\n", site, StringComparison.Ordinal);
        Assert.Contains("add_header Strict-Transport-Security \"max-age=31536000\" always;", site, StringComparison.Ordinal);
        // The challenge path stays on HTTP (renewals), before the redirect.
        Assert.True(site.IndexOf("acme-challenge", StringComparison.Ordinal) < site.IndexOf("return 301", StringComparison.Ordinal));
    }

    [Fact]
    public void RenderSite_HttpsOnOtherPortWithoutRedirectOrHsts_ProxiesHttpAndNamesThePortInNoRedirect()
    {
        var route = Shop with { Tls = Acme with { Redirect = false, Hsts = null } };
        var site = NginxConfigRenderer.RenderSite(route, "127.0.0.1", "/logs/shop.access.log", 16, "g1", Shared with { HttpsPort = 5443, CertificateFile = "/c.pem", KeyFile = "/k.pem" });

        Assert.DoesNotContain("return 301", site, StringComparison.Ordinal);
        Assert.DoesNotContain("Strict-Transport-Security", site, StringComparison.Ordinal);
        Assert.Contains("listen 203.0.113.10:5443 ssl http2;", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSite_RedirectToNonStandardHttpsPort_KeepsThePort()
    {
        var site = NginxConfigRenderer.RenderSite(Shop, "127.0.0.1", "/l.log", 16, "g1", Shared with { HttpsPort = 5443, CertificateFile = "/c.pem", KeyFile = "/k.pem" });

        Assert.Contains("return 301 https://$host:5443$request_uri;", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSite_DomainsButNoSharedPorts_Throws() =>
        Assert.Throws<ArgumentException>(() => NginxConfigRenderer.RenderSite(Shop, "127.0.0.1", "/l.log", 16, "g1"));

    [Theory]
    [InlineData("shop.example.com;include /etc/passwd")]
    [InlineData("*.example.com")]
    [InlineData("shop example.com")]
    [InlineData("")]
    public void Validate_DomainThatIsNotAHostName_IsRefused(string domain) =>
        Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Shop with { Domains = [domain] }));

    [Fact]
    public void RenderChallengeSite_NamesNotServedYet_AnswersOnlyTheChallenge()
    {
        var site = NginxConfigRenderer.RenderChallengeSite("shop", ["new.example.com"], Shared);

        Assert.Contains("listen 203.0.113.10:80;\n    server_name new.example.com;\n", site, StringComparison.Ordinal);
        Assert.Contains("root \"/var/lib/deploymind/acme\";", site, StringComparison.Ordinal);
        Assert.Contains("        return 404;\n", site, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy_pass", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteComment_DomainsAndTls_RoundTrip()
    {
        var text = NginxConfigRenderer.RenderSite(Shop, "127.0.0.1", "/l.log", 16, "g1", Shared);

        var parsed = NginxRouteComment.Parse(text)!;

        Assert.Equal(Shop.Domains, parsed.Domains);
        Assert.Equal(Acme, parsed.Tls);
        Assert.DoesNotContain("privkey", text.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void RouteComment_WithoutDomains_IsAsBefore()
    {
        var route = new RouteSpec("plain", 8081, [new("127.0.0.1:5001", 1, "r1")]);

        var line = NginxRouteComment.Format(route);
        var parsed = NginxRouteComment.Parse(line)!;

        Assert.DoesNotContain("domains", line, StringComparison.Ordinal);
        Assert.DoesNotContain("tls", line, StringComparison.Ordinal);
        Assert.Empty(parsed.Domains);
        Assert.Null(parsed.Tls);
    }

    [Fact]
    public void CertbotIssue_RendersWebrootArgumentsAndCaBundleInEnvironment()
    {
        var layout = NginxLayout.Create(new NginxOptions { Prefix = "/srv/nginx", Domains = new NginxDomainOptions { TlsDirectory = "/srv/tls", ChallengeDirectory = "/srv/acme" } }, null);

        var command = CertbotCommands.Issue("certbot", layout, "shop", Shop.Domains, Acme.Acme!, force: false);

        Assert.Equal("certbot", command.Program);
        Assert.Equal(
            [
                "certonly", "--non-interactive", "--agree-tos", "--email", "ops@example.com", "--server", "https://acme.example.com/dir",
                "--config-dir", "/srv/tls/acme", "--work-dir", "/srv/tls/acme/work", "--logs-dir", "/srv/tls/acme/logs",
                "--webroot", "--webroot-path", "/srv/acme", "--preferred-challenges", "http", "--cert-name", "shop",
                "--domains", "shop.example.com,www.shop.example.com", "--keep-until-expiring", "--no-eff-email",
            ],
            command.Arguments);
        Assert.Equal("/etc/ssl/private-ca.pem", command.Environment["REQUESTS_CA_BUNDLE"]);
        Assert.Equal("/srv/tls/acme/live/shop/fullchain.pem", layout.AcmeCertificatePath("shop"));
        Assert.Equal("/srv/tls/acme/live/shop/privkey.pem", layout.AcmeKeyPath("shop"));
    }

    [Fact]
    public void CertbotIssue_ForcedWithoutEmail_RenewsAndRegistersWithoutContact()
    {
        var layout = NginxLayout.Create(new NginxOptions { Prefix = "/srv/nginx", Domains = new NginxDomainOptions { TlsDirectory = "/srv/tls" } }, null);

        var command = CertbotCommands.Issue("/usr/bin/certbot", layout, "shop", ["shop.example.com"], new AcmeAccount(AcmeAccount.LetsEncrypt, null), force: true);

        Assert.Contains("--force-renewal", command.Arguments);
        Assert.Contains("--register-unsafely-without-email", command.Arguments);
        Assert.DoesNotContain("--email", command.Arguments);
        Assert.False(command.Environment.ContainsKey("REQUESTS_CA_BUNDLE"));
        Assert.Contains("/srv/tls/challenges", command.Arguments);
    }

    [Fact]
    public void ParseCertificate_OpensslOutput_ReadsExpiryAndNames()
    {
        const string Output = "notAfter=Dec  7 05:56:00 2031 GMT\nX509v3 Subject Alternative Name: \n    DNS:shop.example.com, DNS:WWW.shop.example.com, IP Address:127.0.0.1\n";

        var (notAfter, names) = NginxTrafficRouter.ParseCertificate(Output);

        Assert.Equal(new DateTimeOffset(2031, 12, 7, 5, 56, 0, TimeSpan.Zero), notAfter);
        Assert.Equal(["shop.example.com", "www.shop.example.com"], names);
    }

    [Fact]
    public void DescribeIssueFailure_DnsProblem_SaysTheDomainDoesNotPointAtTheHost()
    {
        using var router = new NginxTrafficRouter(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System), new NginxOptions(), TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
        var result = new CommandResult("certbot certonly", 1, string.Empty,
            "Certbot failed to authenticate some domains (authenticator: webroot). The Certificate Authority reported these problems:\n  Domain: shop.example.com\n  Type:   dns\n  Detail: DNS problem: NXDOMAIN looking up A for shop.example.com - check that a DNS record exists for this domain\n\nHint: ...\n", TimeSpan.FromSeconds(3));

        var message = router.DescribeIssueFailure(["shop.example.com"], Acme.Acme!, result);

        Assert.Contains("shop.example.com does not point at local", message, StringComparison.Ordinal);
        Assert.Contains("Detail: DNS problem: NXDOMAIN", message, StringComparison.Ordinal);
        Assert.Contains("The previous release and the other apps keep serving", message, StringComparison.Ordinal);
    }
}
