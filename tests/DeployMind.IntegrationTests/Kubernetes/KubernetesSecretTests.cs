using System.Text;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Application.Security;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>
/// <c>env.secret</c> on a Kubernetes target, through the real client against the loopback API server: each release's
/// Secret, created before the Deployment changes and read with envFrom; rollbacks, clean-up and removal; and no value in
/// what DeployMind says.
/// </summary>
public sealed class KubernetesSecretTests : IAsyncLifetime, IDisposable
{
    private const string DatabaseUrl1 = "postgres://shop:pa55-first@db/shop";
    private const string DatabaseUrl2 = "postgres://shop:pa55-second@db/shop";
    private const string StripeKey = "sk_live_51HzSecretValue";
    private readonly string _folder = Directory.CreateTempSubdirectory("dm-k8s-secrets-").FullName;
    private readonly SecretValues _values = new();
    private KubernetesTestTarget _target = null!;

    private FakeKubernetesApiServer Server => _target.Server;

    public async Task InitializeAsync() => _target = await KubernetesTestTarget.StartAsync();

    public async Task DisposeAsync() => await _target.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Rolling_EnvSecretFromAnEnvFile_CreatesTheReleasesSecretFirstAndTheDeploymentReadsIt()
    {
        var request = await RequestAsync("r1", "shop:1", DatabaseUrl1);

        var outcome = await _target.DeployAsync(request, StrategyKind.Rolling);

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Status}: {outcome.Reason}");
        var writes = Server.Calls.Where(c => !c.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        Assert.Equal("POST secrets", writes[0]);
        Assert.Equal("PATCH deployments/shop (apply, deploymind)", writes[1]);
        var secret = Server.Get("secrets", "shop-r1-env")!;
        Assert.Equal(("Opaque", true), (secret["type"]!.GetValue<string>(), secret["immutable"]!.GetValue<bool>()));
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(DatabaseUrl1)), secret["data"]!["DATABASE_URL"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["DATABASE_URL"] = DatabaseUrl1, ["STRIPE_KEY"] = StripeKey }, Server.SecretData("shop-r1-env"));
        var labels = secret["metadata"]!["labels"]!;
        Assert.Equal(("deploymind", "shop", "release-env", "r1"), (Label(labels, "app.kubernetes.io/managed-by"), Label(labels, "app.kubernetes.io/instance"), Label(labels, "app.kubernetes.io/component"), Label(labels, "deploymind.dev/release")));
        Assert.Equal(["shop-r1-env"], SecretsRead("shop"));
        Assert.Contains(_target.Steps, s => s.Contains("creating the Secret shop-r1-env for release r1 (env.secret: DATABASE_URL, STRIPE_KEY)", StringComparison.Ordinal));
        AssertNoValueIn([.. _target.Steps, outcome.Reason ?? string.Empty, outcome.ToString()]);
    }

    [Fact]
    public async Task Rolling_NewRelease_KeepsTheEarlierSecret_AndARollbackReadsTheValuesItWasReleasedWith()
    {
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.Rolling);
        var second = await _target.DeployAsync(await RequestAsync("r2", "shop:2", DatabaseUrl2), StrategyKind.Rolling);
        Assert.True(second.Status == DeployStatus.Succeeded, second.Reason);
        Assert.Equal(["shop-r2-env"], SecretsRead("shop"));
        Assert.Equal(["shop-r1-env", "shop-r2-env"], Server.Names("secrets"));

        var (release, back) = await _target.Deployer.RollbackAsync(_target.Request("rollback", "rollback"), _target.Observer(), CancellationToken.None);

        Assert.True(back.Status == DeployStatus.Succeeded, back.Reason);
        Assert.Equal("r1", release.ReleaseId);
        Assert.Equal(["shop-r1-env"], SecretsRead("shop"));
        Assert.Equal(DatabaseUrl1, Server.SecretData("shop-r1-env")["DATABASE_URL"]);
        Assert.Equal(DatabaseUrl2, Server.SecretData("shop-r2-env")["DATABASE_URL"]);
        AssertNoValueIn([.. _target.Steps, back.Reason ?? string.Empty]);
    }

    [Fact]
    public async Task Deploy_SecretRefused_LeavesTheDeploymentUntouchedAndNamesTheSecretAndTheApisMessage()
    {
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.Rolling);
        var before = Server.Get("deployments", "shop")!["spec"]!.ToJsonString();
        Server.Denied.Add("create secrets");
        Server.ClearCalls();

        var outcome = await _target.DeployAsync(await RequestAsync("r2", "shop:2", DatabaseUrl2), StrategyKind.Rolling);

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.StartsWith("Creating the Secret shop-r2-env in test/shop failed: ", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("secrets is forbidden: User \"tester\" cannot create resource \"secrets\"", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(["POST secrets"], Server.Calls.Where(c => !c.StartsWith("GET ", StringComparison.Ordinal)).Select(c => c.Split(' ')[0] + " " + c.Split(' ')[1]));
        Assert.Equal(before, Server.Get("deployments", "shop")!["spec"]!.ToJsonString());
        Assert.Equal(["shop-r1-env"], Server.Names("secrets"));
        AssertNoValueIn([.. _target.Steps, outcome.Reason!]);
    }

    [Fact]
    public async Task Deploy_ASecretOfThatNameIsSomebodyElses_IsAConflictAndNothingIsApplied()
    {
        Server.Seed("secrets", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "shop-r1-env" },
            ["stringData"] = new System.Text.Json.Nodes.JsonObject { ["DATABASE_URL"] = "theirs" },
        });

        var outcome = await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.Rolling);

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.StartsWith("A Secret shop-r1-env exists in test/shop and is not DeployMind's Secret of shop", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(Server.Get("deployments", "shop"));
        Assert.Equal("theirs", Server.SecretData("shop-r1-env")["DATABASE_URL"]);
    }

    [Fact]
    public async Task Deploy_SameReleaseAgainWithOtherValues_MakesItsImmutableSecretAgain()
    {
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.Rolling);
        Server.ClearCalls();

        var again = await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl2), StrategyKind.Rolling);

        Assert.True(again.Status == DeployStatus.Succeeded, again.Reason);
        Assert.Equal(DatabaseUrl2, Server.SecretData("shop-r1-env")["DATABASE_URL"]);
        Assert.Equal(["POST secrets", "DELETE secrets/shop-r1-env", "POST secrets"], Server.Calls.Where(c => c.Contains("secrets", StringComparison.Ordinal) && !c.StartsWith("GET", StringComparison.Ordinal)).Select(c => c.Split(' ')[0] + " " + c.Split(' ')[1]));
    }

    [Fact]
    public async Task Deploys_BeyondTheRevisionHistory_DeleteTheSecretsOfReleasesWhoseReplicaSetsWent()
    {
        for (var i = 1; i <= 12; i++)
        {
            var outcome = await _target.DeployAsync(await RequestAsync($"r{i:00}", $"shop:{i}", DatabaseUrl1, o => (o.Replicas, o.Autoscaling.Enabled, o.Pdb.Enabled) = (1, false, false)), StrategyKind.Rolling);
            Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        }

        var kept = await _target.Deployer.ReleasesAsync(_target.Request("x", "x"), "shop", CancellationToken.None);
        Assert.Equal(11, kept.Count); // the current revision and revisionHistoryLimit (10) earlier ones
        Assert.Equal(kept.Select(r => $"shop-{r.ReleaseId}-env").Order(StringComparer.Ordinal), Server.Names("secrets"));
        Assert.DoesNotContain("shop-r01-env", Server.Names("secrets"));
        Assert.Contains(_target.Steps, s => s.EndsWith("deleting the Secret shop-r01-env: no revision of shop reads it any more", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Canary_Unhealthy_DeletesTheCanarysSecretWithIt_TheStableKeepsReadingItsOwn()
    {
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.Canary);
        Server.CrashingImages.Add("shop:2");

        var outcome = await _target.DeployAsync(await RequestAsync("r2", "shop:2", DatabaseUrl2), StrategyKind.Canary);

        Assert.NotEqual(DeployStatus.Succeeded, outcome.Status);
        Assert.Null(Server.Get("deployments", "shop-canary"));
        Assert.Equal(["shop-r1-env"], SecretsRead("shop"));
        Assert.Equal(["shop-r1-env"], Server.Names("secrets"));
    }

    [Fact]
    public async Task BlueGreen_TheIdleColourKeepsItsReleasesSecret_AndSwitchingBackReadsIt()
    {
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.BlueGreen);
        var second = await _target.DeployAsync(await RequestAsync("r2", "shop:2", DatabaseUrl2), StrategyKind.BlueGreen);
        Assert.True(second.Status == DeployStatus.Succeeded, second.Reason);
        Assert.Equal(["shop-r1-env"], SecretsRead("shop-blue"));
        Assert.Equal(["shop-r2-env"], SecretsRead("shop-green"));
        Assert.Equal(["shop-r1-env", "shop-r2-env"], Server.Names("secrets"));

        var (release, back) = await _target.Deployer.RollbackAsync(_target.Request("rollback", "rollback"), _target.Observer(), CancellationToken.None);

        Assert.True(back.Status == DeployStatus.Succeeded, back.Reason);
        Assert.Equal("r1", release.ReleaseId);
        Assert.Equal("blue", Server.Get("services", "shop")!["spec"]!["selector"]!["deploymind.dev/colour"]!.GetValue<string>());
        Assert.Equal(DatabaseUrl1, Server.SecretData("shop-r1-env")["DATABASE_URL"]);
    }

    [Fact]
    public async Task RollbackTo_AReleaseWhoseSecretIsGone_SaysToDeployTheCommitAgainAndChangesNothing()
    {
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1), StrategyKind.Rolling);
        var template = _target.Request("x", "x");
        template = template with { Kubernetes = template.Kubernetes! with { Secrets = ["DATABASE_URL", "STRIPE_KEY"] } };
        var before = Server.Get("deployments", "shop")!["spec"]!.ToJsonString();

        var error = await Assert.ThrowsAsync<DeployMindException>(() => _target.Deployer.RollbackToAsync(template, new ReleaseSpec("shop", "r0", "shop:0", null), _target.Observer(), CancellationToken.None));

        Assert.StartsWith("The Secret shop-r0-env with the env.secret values of release r0 is gone from test/shop", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy that commit again", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Server.Get("deployments", "shop")!["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task Remove_DeletesEveryObjectOfTheAppAndItsReleaseSecrets_TheUsersSecretsStay()
    {
        Server.Seed("secrets", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "shop-db" },
            ["stringData"] = new System.Text.Json.Nodes.JsonObject { ["url"] = "postgres://db" },
        });
        await _target.DeployAsync(await RequestAsync("r1", "shop:1", DatabaseUrl1, o => o.Env = new() { ["REGION"] = "eu" }), StrategyKind.Rolling);
        await _target.DeployAsync(await RequestAsync("r2", "shop:2", DatabaseUrl2, o => o.Env = new() { ["REGION"] = "eu" }), StrategyKind.Rolling);
        var template = _target.Request("x", "x");
        Assert.Equal(
            ["k8s test/shop: Service shop, Autoscaler shop, DisruptionBudget shop, Deployment shop, ConfigMap shop-env, Secret shop-r1-env, Secret shop-r2-env"],
            await _target.Deployer.LeftoversAsync(template, "shop", CancellationToken.None));

        var removed = await _target.Deployer.RemoveAsync(template, "shop", _target.Observer(), CancellationToken.None);

        Assert.Equal(["k8s test/shop: Service shop, Autoscaler shop, DisruptionBudget shop, Deployment shop, ConfigMap shop-env, Secret shop-r1-env, Secret shop-r2-env"], removed);
        Assert.Empty(await _target.Deployer.LeftoversAsync(template, "shop", CancellationToken.None));
        Assert.Equal(["shop-db"], Server.Names("secrets"));
        Assert.Empty(Server.Names("deployments"));
        Assert.Empty(Server.PodImages("shop"));
    }

    [Fact]
    public async Task FakeApi_SecretsAnswerAsTheApiDoes_CreateTwiceIs409AndAnImmutableSecretRefusesAChange()
    {
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_target.Kubeconfig, "test"));
        var secret = KubernetesCluster.ToV1Secret(new KubernetesReleaseSecret("shop-r9-env", "shop", "r9", new Dictionary<string, string> { ["A"] = "one1" }));
        var created = await client.CoreV1.CreateNamespacedSecretAsync(secret, "shop");

        var again = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedSecretAsync(secret, "shop"));
        created.Data["A"] = Encoding.UTF8.GetBytes("two2");
        var changed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNamespacedSecretAsync(created, "shop-r9-env", "shop"));
        var listed = await client.CoreV1.ListNamespacedSecretAsync("shop", labelSelector: KubernetesNames.ReleaseSecretSelector("shop"));

        Assert.Equal(("Opaque", true), (created.Type, created.Immutable == true));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Equal("secrets \"shop-r9-env\" already exists", Message(again));
        Assert.Equal((System.Net.HttpStatusCode)422, changed.Response.StatusCode);
        Assert.Equal("Secret \"shop-r9-env\" is invalid: data: Forbidden: field is immutable when `immutable` is set", Message(changed));
        Assert.Equal("one1", Encoding.UTF8.GetString(Assert.Single(listed.Items).Data["A"]));
    }

    /// <summary>A request of <paramref name="release"/> whose env.secret (DATABASE_URL, STRIPE_KEY) is resolved from an env file, as the deploy stage does.</summary>
    private async Task<DeployRequest> RequestAsync(string release, string image, string databaseUrl, Action<KubernetesTargetOptions>? change = null)
    {
        var file = Path.Combine(_folder, "shop.env");
        await File.WriteAllTextAsync(file, $"DATABASE_URL={databaseUrl}\nSTRIPE_KEY=\"{StripeKey}\"\n");
        var app = new AppOptions
        {
            App = "shop",
            Env = new EnvOptions { Secret = ["STRIPE_KEY", "DATABASE_URL"] },
            Secrets = new SecretsOptions { Sources = [new SecretSourceOptions { EnvFile = file }] },
        };
        var environment = AppEnvironment.Of(app, "staging", Path.Combine(_folder, "app"));
        var values = await new SecretResolver([new EnvFileSecretLookup()], _values).ResolveAsync(environment, CancellationToken.None);
        var request = _target.Request(release, image, change);
        return request with
        {
            Release = request.Release with { Environment = values },
            Kubernetes = request.Kubernetes! with { Secrets = environment.Secrets },
        };
    }

    /// <summary>The Secrets a Deployment's pod template reads whole (envFrom).</summary>
    private IReadOnlyList<string> SecretsRead(string deployment) =>
        [.. Server.Get("deployments", deployment)!["spec"]!["template"]!["spec"]!["containers"]![0]!["envFrom"]!.AsArray()
            .Select(e => e!["secretRef"]?["name"]?.GetValue<string>()).OfType<string>()];

    private static string? Message(HttpOperationException ex) => System.Text.Json.Nodes.JsonNode.Parse(ex.Response.Content)?["message"]?.GetValue<string>();

    private static string Label(System.Text.Json.Nodes.JsonNode labels, string key) => labels[key]!.GetValue<string>();

    private void AssertNoValueIn(IEnumerable<string> texts)
    {
        Assert.Equal("***", _values.Redact(StripeKey)); // the resolver registered the values for redaction
        foreach (var text in texts)
        {
            foreach (var value in new[] { DatabaseUrl1, DatabaseUrl2, StripeKey, "pa55", Convert.ToBase64String(Encoding.UTF8.GetBytes(StripeKey)) })
            {
                Assert.DoesNotContain(value, text, StringComparison.Ordinal);
            }
        }
    }
}
