using System.Globalization;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain.Deploy;
using k8s;
using k8s.Models;

namespace DeployMind.Infrastructure.Kubernetes;

/// <summary>
/// The manifests of an app from its workload (detected port, environment settings, health policy): a Deployment with
/// readiness and liveness probes on the health path, requests and limits, topology spread across nodes and zones, a
/// locked-down securityContext, a grace period and RollingUpdate maxSurge 1 / maxUnavailable 0; a Service; an
/// autoscaler on CPU; a PodDisruptionBudget; a ConfigMap for non-secret variables (<c>env.secret</c> is read from the
/// release's Secret, which the cluster adapter creates; <c>secretEnv</c> references existing Secrets). Labels follow
/// <c>app.kubernetes.io/*</c>. Pure: no I/O.
/// </summary>
public static class KubernetesManifestGenerator
{
    /// <summary>The user every container runs as (runAsNonRoot needs a numeric user to be checked).</summary>
    public const long RunAsUser = 10001;

    /// <summary>The objects of <paramref name="parts"/>, in the order they are applied: ConfigMap, Deployment, Service, autoscaler, disruption budget.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Generate(KubernetesWorkload workload, KubernetesParts parts)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        if (parts.HasFlag(KubernetesParts.ConfigMap) && workload.Settings.Env.Count > 0)
        {
            objects.Add(ConfigMap(workload));
        }

        if (parts.HasFlag(KubernetesParts.Deployment))
        {
            objects.Add(Deployment(workload));
        }

        if (parts.HasFlag(KubernetesParts.Service))
        {
            objects.Add(Service(workload));
        }

        if (parts.HasFlag(KubernetesParts.Autoscaler) && workload.Settings.Autoscaling is not null)
        {
            objects.Add(Autoscaler(workload));
        }

        if (parts.HasFlag(KubernetesParts.DisruptionBudget) && workload.Settings.PdbMinAvailable is not null)
        {
            objects.Add(DisruptionBudget(workload));
        }

        return objects;
    }

    /// <summary>
    /// What an environment's strategy runs, for users who apply manifests with their own tooling (<c>deploymind manifests</c>):
    /// rolling, the app's objects; canary, those and the "&lt;app&gt;-canary" Deployment at <paramref name="canaryReplicas"/>
    /// pods; blue-green, the blue Deployment with the Service and the autoscaler on blue. Deployments carry their replicas.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> ForStrategy(KubernetesWorkload workload, StrategyKind strategy, int canaryReplicas = 1)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var sized = workload with { Replicas = workload.Settings.Replicas };
        return strategy switch
        {
            StrategyKind.Canary => [.. Generate(sized, KubernetesParts.All), .. Generate(sized with { Variant = KubernetesVariant.Canary, Replicas = canaryReplicas }, KubernetesParts.Deployment)],
            StrategyKind.BlueGreen => Generate(sized with { Variant = KubernetesVariant.Blue, LiveColour = KubernetesVariant.Blue }, KubernetesParts.All),
            _ => Generate(sized, KubernetesParts.All),
        };
    }

    /// <summary>The objects as one YAML stream ("---" between documents).</summary>
    public static string ToYaml(IEnumerable<object> objects) => KubernetesYaml.SerializeAll(objects);

    /// <summary>The objects as a JSON list (<c>kind: List</c>, as <c>kubectl get -o json</c> prints several).</summary>
    public static string ToJson(IEnumerable<object> objects)
    {
        var items = string.Join(",\n", objects.Select(o => KubernetesJson.Serialize(o)));
        return $"{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n{items}\n]}}";
    }

    /// <summary>The labels of every object of the app.</summary>
    private static Dictionary<string, string> CommonLabels(KubernetesWorkload workload) => new(StringComparer.Ordinal)
    {
        [KubernetesNames.NameLabel] = workload.App,
        [KubernetesNames.InstanceLabel] = workload.App,
        [KubernetesNames.PartOfLabel] = workload.App,
        [KubernetesNames.ManagedByLabel] = KubernetesNames.ManagedBy,
    };

    private static V1ObjectMeta Metadata(KubernetesWorkload workload, string name, IDictionary<string, string>? extraLabels = null)
    {
        var labels = CommonLabels(workload);
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        return new V1ObjectMeta { Name = name, NamespaceProperty = workload.Settings.Namespace, Labels = labels };
    }

    private static V1ConfigMap ConfigMap(KubernetesWorkload workload) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Metadata(workload, KubernetesNames.ConfigMap(workload.App), new Dictionary<string, string> { [KubernetesNames.ComponentLabel] = "config" }),
        Data = workload.Settings.Env.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    };

    private static V1Deployment Deployment(KubernetesWorkload workload)
    {
        var settings = workload.Settings;
        var selector = KubernetesNames.DeploymentSelector(workload.App, workload.Variant);
        var version = Version(workload.Image);
        var deploymentLabels = new Dictionary<string, string>(selector, StringComparer.Ordinal)
        {
            [KubernetesNames.ComponentLabel] = "server",
            [KubernetesNames.VersionLabel] = version,
        };
        var podLabels = new Dictionary<string, string>(CommonLabels(workload), StringComparer.Ordinal);
        foreach (var (key, value) in deploymentLabels)
        {
            podLabels[key] = value;
        }

        podLabels[KubernetesNames.ReleaseLabel] = KubernetesNames.LabelValue(workload.ReleaseId);
        var podAnnotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KubernetesNames.ReleaseAnnotation] = workload.ReleaseId,
            [KubernetesNames.ImageAnnotation] = workload.Image,
        };
        if (workload.Commit is { Length: > 0 } commit)
        {
            podAnnotations[KubernetesNames.CommitAnnotation] = commit;
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Metadata(workload, workload.DeploymentName, deploymentLabels),
            Spec = new V1DeploymentSpec
            {
                Replicas = workload.Replicas,
                RevisionHistoryLimit = 10,
                ProgressDeadlineSeconds = (int)Math.Ceiling(settings.RolloutDeadline.TotalSeconds),
                MinReadySeconds = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector, StringComparer.Ordinal) },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = podLabels, Annotations = podAnnotations },
                    Spec = PodSpec(workload, selector),
                },
            },
        };
    }

    private static V1PodSpec PodSpec(KubernetesWorkload workload, IDictionary<string, string> selector)
    {
        var settings = workload.Settings;
        var health = workload.Health;
        var period = Seconds(health.Interval);
        var timeout = Seconds(health.Timeout);
        var env = new List<V1EnvVar>
        {
            new() { Name = "PORT", Value = settings.ContainerPort.ToString(CultureInfo.InvariantCulture) },
            new() { Name = "HOST", Value = "0.0.0.0" },
        };
        env.AddRange(settings.SecretEnv.Select(kv => new V1EnvVar
        {
            Name = kv.Key,
            ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = kv.Value.Secret, Key = kv.Value.Key } },
        }));
        var container = new V1Container
        {
            Name = "app",
            Image = workload.Image,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = settings.ContainerPort, Protocol = "TCP" }],
            Env = env,
            EnvFrom = EnvFrom(workload),
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                {
                    ["cpu"] = new(settings.Resources.RequestsCpu),
                    ["memory"] = new(settings.Resources.RequestsMemory),
                },
                Limits = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                {
                    ["cpu"] = new(settings.Resources.LimitsCpu),
                    ["memory"] = new(settings.Resources.LimitsMemory),
                },
            },
            ReadinessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = health.Path, Port = "http" },
                InitialDelaySeconds = 5,
                PeriodSeconds = period,
                TimeoutSeconds = timeout,
                SuccessThreshold = 1,
                FailureThreshold = 3,
            },
            LivenessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = health.Path, Port = "http" },
                InitialDelaySeconds = 30,
                PeriodSeconds = Math.Max(10, period),
                TimeoutSeconds = timeout,
                SuccessThreshold = 1,
                FailureThreshold = 3,
            },
            SecurityContext = new V1SecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = RunAsUser,
                ReadOnlyRootFilesystem = true,
                AllowPrivilegeEscalation = false,
                Privileged = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };
        return new V1PodSpec
        {
            TerminationGracePeriodSeconds = settings.TerminationGracePeriodSeconds,
            AutomountServiceAccountToken = false,
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = RunAsUser,
                RunAsGroup = RunAsUser,
                FsGroup = RunAsUser,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            TopologySpreadConstraints =
            [
                Spread("kubernetes.io/hostname", selector),
                Spread("topology.kubernetes.io/zone", selector),
            ],
            Containers = [container],
            Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") } }],
        };
    }

    /// <summary>
    /// The ConfigMap of <c>env</c>, then the release's Secret of <c>env.secret</c>. The Secret is read whole with
    /// <c>envFrom.secretRef</c> rather than key by key with <c>secretKeyRef</c>: the pod template then names only the Secret,
    /// so a revision brought back by a rollback gets exactly the variables its release was deployed with, even after
    /// <c>env.secret</c> changed. Not optional: a pod whose Secret is missing does not start (CreateContainerConfigError)
    /// instead of starting without its secrets. A name is never in two sources (the configuration is checked), and
    /// <c>secretEnv</c>'s <c>env</c> entries would win over both.
    /// </summary>
    private static List<V1EnvFromSource>? EnvFrom(KubernetesWorkload workload)
    {
        var sources = new List<V1EnvFromSource>();
        if (workload.Settings.Env.Count > 0)
        {
            sources.Add(new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = KubernetesNames.ConfigMap(workload.App) } });
        }

        if (workload.ReleaseSecret is { } secret)
        {
            sources.Add(new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = secret } });
        }

        return sources.Count == 0 ? null : sources;
    }

    private static V1TopologySpreadConstraint Spread(string topologyKey, IDictionary<string, string> selector) => new()
    {
        MaxSkew = 1,
        TopologyKey = topologyKey,
        WhenUnsatisfiable = "ScheduleAnyway",
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector, StringComparer.Ordinal) },
    };

    private static V1Service Service(KubernetesWorkload workload)
    {
        var selector = KubernetesNames.AppSelector(workload.App);
        if (workload.LiveColour is { } colour)
        {
            selector[KubernetesNames.ColourLabel] = KubernetesNames.Value(colour);
        }

        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Metadata(workload, workload.App, new Dictionary<string, string> { [KubernetesNames.ComponentLabel] = "server" }),
            Spec = new V1ServiceSpec
            {
                Type = workload.Settings.ServiceType,
                Selector = new Dictionary<string, string>(selector, StringComparer.Ordinal),
                Ports = [new V1ServicePort { Name = "http", Port = workload.Settings.ServicePort, TargetPort = "http", Protocol = "TCP" }],
            },
        };
    }

    private static V2HorizontalPodAutoscaler Autoscaler(KubernetesWorkload workload)
    {
        var autoscaling = workload.Settings.Autoscaling!;
        var target = workload.LiveColour is { } colour ? KubernetesNames.Deployment(workload.App, colour) : workload.App;
        return new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = Metadata(workload, workload.App, new Dictionary<string, string> { [KubernetesNames.ComponentLabel] = "server" }),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = target },
                MinReplicas = autoscaling.MinReplicas,
                MaxReplicas = autoscaling.MaxReplicas,
                Metrics =
                [
                    new V2MetricSpec
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricSource
                        {
                            Name = "cpu",
                            Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = autoscaling.CpuUtilization },
                        },
                    },
                ],
            },
        };
    }

    private static V1PodDisruptionBudget DisruptionBudget(KubernetesWorkload workload)
    {
        var selector = KubernetesNames.AppSelector(workload.App);
        return new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = Metadata(workload, workload.App, new Dictionary<string, string> { [KubernetesNames.ComponentLabel] = "server" }),
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = workload.Settings.PdbMinAvailable!.Value,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector, StringComparer.Ordinal) },
            },
        };
    }

    private static int Seconds(TimeSpan value) => Math.Max(1, (int)Math.Ceiling(value.TotalSeconds));

    /// <summary>The image's tag as a label value ("shop:1.4.2" → "1.4.2"; no tag → "latest").</summary>
    private static string Version(string image)
    {
        var name = image[(image.LastIndexOf('/') + 1)..];
        var at = name.IndexOf('@', StringComparison.Ordinal);
        name = at >= 0 ? name[..at] : name;
        var colon = name.LastIndexOf(':');
        var version = KubernetesNames.LabelValue(colon >= 0 ? name[(colon + 1)..] : "latest");
        return version.Length == 0 ? "latest" : version;
    }
}
