using DeployMind.Application.Configuration;
using DeployMind.Domain;

namespace DeployMind.UnitTests.Deploy.Kubernetes;

public sealed class KubernetesTargetOptionsTests
{
    private const string Key = "environments.staging.target.kubernetes";

    [Fact]
    public void ToSettings_Defaults_AreTheDocumentedOnes()
    {
        var settings = new KubernetesTargetOptions().ToSettings(Key, detectedPort: 3000);

        Assert.Equal(("default", 2, 3000, 80, "ClusterIP"), (settings.Namespace, settings.Replicas, settings.ContainerPort, settings.ServicePort, settings.ServiceType));
        Assert.Equal(("100m", "128Mi", "500m", "256Mi"), (settings.Resources.RequestsCpu, settings.Resources.RequestsMemory, settings.Resources.LimitsCpu, settings.Resources.LimitsMemory));
        Assert.Equal((2, 10, 70), (settings.Autoscaling!.MinReplicas, settings.Autoscaling.MaxReplicas, settings.Autoscaling.CpuUtilization));
        Assert.Equal(1, settings.PdbMinAvailable);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.RolloutDeadline);
        Assert.Equal(30, settings.TerminationGracePeriodSeconds);
        Assert.Null(settings.LogPattern);
        Assert.Equal("current/default", settings.Display);
    }

    [Fact]
    public void ToSettings_NoContainerPortNorDetection_Uses8080()
    {
        Assert.Equal(8080, new KubernetesTargetOptions().ToSettings(Key).ContainerPort);
        Assert.Equal(9000, new KubernetesTargetOptions { ContainerPort = 9000 }.ToSettings(Key, 3000).ContainerPort);
    }

    [Fact]
    public void ToSettings_EnvAndSecretEnv_AreSortedAndChecked()
    {
        var settings = new KubernetesTargetOptions
        {
            Context = "staging",
            Env = new() { ["Z_LAST"] = "1", ["A_FIRST"] = "2" },
            SecretEnv = new() { ["DATABASE_URL"] = new KubernetesSecretRefOptions { Secret = "shop-db", Key = "url" } },
        }.ToSettings(Key);

        Assert.Equal(["A_FIRST", "Z_LAST"], settings.Env.Keys);
        Assert.Equal(("shop-db", "url"), (settings.SecretEnv["DATABASE_URL"].Secret, settings.SecretEnv["DATABASE_URL"].Key));
        Assert.Equal("staging/default", settings.Display);
    }

    public static TheoryData<Action<KubernetesTargetOptions>, string> Invalid() => new()
    {
        { o => o.Replicas = 0, Key + ".replicas: 0 is out of range" },
        { o => o.Namespace = "Shop_1", Key + ".namespace: 'Shop_1' is not a namespace name" },
        { o => o.ContainerPort = 70000, Key + ".containerPort: 70000 is not a port" },
        { o => o.ServicePort = 0, Key + ".servicePort: 0 is not a port" },
        { o => o.ServiceType = "Ingress", Key + ".serviceType: 'Ingress' is not a Service type" },
        { o => o.Resources.Limits.Memory = "lots", Key + ".resources.limits.memory: 'lots' is not a Kubernetes quantity" },
        { o => o.Resources.Requests.Cpu = "1 core", Key + ".resources.requests.cpu: '1 core' is not a Kubernetes quantity" },
        { o => o.Autoscaling.MaxReplicas = 1, Key + ".autoscaling.maxReplicas: 1 is below the minimum 2" },
        { o => o.Autoscaling.Cpu = 150, Key + ".autoscaling.cpu: 150 is not a percentage" },
        { o => o.Pdb.MinAvailable = 2, Key + ".pdb.minAvailable: 2 must be at least 0 and below" },
        { o => o.Env = new() { ["1X"] = "y" }, Key + ".env.1X: '1X' is not an environment variable name" },
        { o => o.SecretEnv = new() { ["TOKEN"] = new KubernetesSecretRefOptions { Secret = "api" } }, Key + ".secretEnv.TOKEN.key: '' is not a key of a Secret" },
        { o => o.SecretEnv = new() { ["TOKEN"] = new KubernetesSecretRefOptions { Secret = "Api Keys", Key = "k" } }, Key + ".secretEnv.TOKEN.secret: 'Api Keys' is not the name of a Secret" },
        { o => (o.Env, o.SecretEnv) = (new() { ["TOKEN"] = "x" }, new() { ["TOKEN"] = new KubernetesSecretRefOptions { Secret = "api", Key = "k" } }), Key + ".secretEnv.TOKEN: TOKEN is in " + Key + ".env too" },
        { o => o.Registry = "https://registry.example.com", Key + ".registry: 'https://registry.example.com' is not a registry prefix" },
        { o => o.RolloutDeadline = "soon", Key + ".rolloutDeadline: 'soon' is not a duration" },
        { o => o.TerminationGracePeriod = "forever", Key + ".terminationGracePeriod: 'forever' is not a duration" },
        { o => o.Metrics.LogPattern = "(\\d{3})", Key + ".metrics.logPattern: needs a named group (?<status>...)" },
        { o => o.Metrics.LogPattern = "(?<status>", Key + ".metrics.logPattern: not a regular expression" },
        { o => (o.InCluster, o.Context) = (true, "staging"), Key + ".inCluster: true uses the pod's service account" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ToSettings_InvalidSetting_NamesItsKey(Action<KubernetesTargetOptions> change, string expected)
    {
        var options = new KubernetesTargetOptions();
        change(options);

        var error = Assert.Throws<InvalidInputException>(() => options.ToSettings(Key, 8080));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
