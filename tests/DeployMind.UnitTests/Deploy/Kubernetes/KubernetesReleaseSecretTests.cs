using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Kubernetes;

namespace DeployMind.UnitTests.Deploy.Kubernetes;

/// <summary>The decisions about a release's Secret of <c>env.secret</c>: its name, what it prints, which are stale, what validate checks.</summary>
public sealed partial class KubernetesReleaseSecretTests
{
    [Theory]
    [InlineData("shop", "20261206-233000123-1a2b3c4", "shop-20261206-233000123-1a2b3c4-env")]
    [InlineData("shop", "r1", "shop-r1-env")]
    public void ReleaseSecret_ADnsReadyReleaseId_IsAppReleaseEnv(string app, string release, string expected)
    {
        Assert.Equal(expected, KubernetesNames.ReleaseSecret(app, release));
    }

    [Theory]
    [InlineData("20261206-233000123-V1.2_rc")]
    [InlineData("R1")]
    [InlineData("r1")]
    [InlineData("__")]
    [InlineData("20261206-233000123-1.0+build.7")]
    public void ReleaseSecret_AnyReleaseId_IsAValidSecretNameAndKeepsIdsApart(string release)
    {
        var name = KubernetesNames.ReleaseSecret("shop", release);

        Assert.Matches(DnsSubdomain(), name);
        Assert.StartsWith("shop-", name, StringComparison.Ordinal);
        Assert.EndsWith("-env", name, StringComparison.Ordinal);
        Assert.Equal(name, KubernetesNames.ReleaseSecret("shop", release));
    }

    [Fact]
    public void ReleaseSecret_IdsThatLowerCaseAlike_AreTwoSecrets()
    {
        Assert.NotEqual(KubernetesNames.ReleaseSecret("shop", "R1"), KubernetesNames.ReleaseSecret("shop", "r1"));
        Assert.NotEqual(KubernetesNames.ReleaseSecret("shop", "r_1"), KubernetesNames.ReleaseSecret("shop", "r.1"));
    }

    [Fact]
    public void ReleaseSecret_AVeryLongRelease_IsCutToTheDnsSubdomainLimitWithAHash()
    {
        var app = new string('a', 63);
        var one = KubernetesNames.ReleaseSecret(app, "20261206-" + new string('x', 300) + "1");
        var two = KubernetesNames.ReleaseSecret(app, "20261206-" + new string('x', 300) + "2");

        Assert.Equal(253, one.Length);
        Assert.Matches(DnsSubdomain(), one);
        Assert.NotEqual(one, two);
    }

    [Fact]
    public void ReleaseSecret_ToString_NamesTheKeysNeverTheValues()
    {
        var secret = new KubernetesReleaseSecret("shop-r1-env", "shop", "r1", new Dictionary<string, string> { ["STRIPE_KEY"] = "sk_live_do_not_print", ["API_KEY"] = "k-123456" });

        Assert.Equal("Secret shop-r1-env (API_KEY, STRIPE_KEY)", secret.ToString());
        Assert.DoesNotContain("sk_live", $"{secret}", StringComparison.Ordinal);
        Assert.Equal("release-env", secret.Labels[KubernetesNames.ComponentLabel]);
        Assert.Equal(("shop", "deploymind", "r1"), (secret.Labels[KubernetesNames.InstanceLabel], secret.Labels[KubernetesNames.ManagedByLabel], secret.Labels[KubernetesNames.ReleaseLabel]));
    }

    [Fact]
    public void StaleSecrets_ThoseNoRevisionReads_AreDeleted()
    {
        var stale = KubernetesDeployer.StaleSecrets(
            ["shop-r3-env", "shop-r1-env", "shop-r2-env", "shop-r4-env"],
            new HashSet<string>(StringComparer.Ordinal) { "shop-r2-env", "shop-r4-env", "shop-db" });

        Assert.Equal(["shop-r1-env", "shop-r3-env"], stale);
    }

    [Fact]
    public void Selectors_ReleaseSecretsAndAppObjects_AreDeployMindsOfTheApp()
    {
        Assert.Equal("app.kubernetes.io/component=release-env,app.kubernetes.io/instance=shop,app.kubernetes.io/managed-by=deploymind", KubernetesNames.ReleaseSecretSelector("shop"));
        Assert.Equal("app.kubernetes.io/instance=shop,app.kubernetes.io/managed-by=deploymind", KubernetesNames.AppObjectsSelector("shop"));
    }

    [Fact]
    public void Preflight_WithEnvSecret_AlsoChecksWhatReleaseSecretsNeed()
    {
        Assert.Equal(
            ["create secrets", "get secrets", "list secrets", "delete secrets", "list deployments.apps"],
            KubernetesPreflight.ForReleaseSecrets.Select(a => a.Display));
        Assert.DoesNotContain(KubernetesPreflight.Required, a => a.Resource == "secrets");
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
