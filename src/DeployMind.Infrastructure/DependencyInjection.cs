using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Application.Security;
using DeployMind.Application.Source;
using DeployMind.Infrastructure.Build;
using DeployMind.Infrastructure.Configuration;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Git;
using DeployMind.Infrastructure.GitHub;
using DeployMind.Infrastructure.Hosts;
using DeployMind.Infrastructure.Http;
using DeployMind.Infrastructure.Kubernetes;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Persistence;
using DeployMind.Infrastructure.Processes;
using DeployMind.Infrastructure.Redis;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure;

/// <summary>The adapters' registrations, shared by the CLI and the server.</summary>
public static class DependencyInjection
{
    /// <summary>Registers the adapters (configuration locations, processes, Docker, build, HTTP probe, Kubernetes, secret and risky-configuration scanners, Trivy image scan, GitHub reporter) and the nginx settings. Uses TryAdd so hosts and tests can replace parts.</summary>
    public static IHostApplicationBuilder AddDeployMindInfrastructure(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConfigurationLocator>(sp => new ConfigurationLocator(sp.GetRequiredService<IConfiguration>(), Directory.GetCurrentDirectory()));
        services.TryAddSingleton<ICommandRunner, LocalProcessRunner>();
        services.TryAddSingleton<ILanguageDetector, LanguageDetector>();
        services.TryAddSingleton<IDockerfileLinter, DockerfileLinter>();
        services.TryAddSingleton<IDockerfileGenerator, DockerfileGenerator>();
        services.TryAddSingleton<IImageBuilder, DockerBuilder>();
        services.TryAddSingleton<IHttpProbe, HttpProbe>();
        services.TryAddSingleton<DeployHostFactory>();
        services.TryAddSingleton<IDeployHostFactory>(sp => sp.GetRequiredService<DeployHostFactory>());
        services.TryAddSingleton<IHostChecks, HostChecks>();
        services.TryAddSingleton<ISourceProvider, GitSourceProvider>();
        services.AddConfigurationSection<GitOptions>(GitOptions.SectionName);
        services.TryAddSingleton<ISecretScanner, SecretScanner>();
        services.TryAddSingleton<IRiskyConfigScanner, RiskyConfigScanner>();
        services.TryAddSingleton<ITextRedactor, SecretTextRedactor>();
        services.AddConfigurationSection<DatabaseOptions>(DatabaseOptions.SectionName);
        services.TryAddSingleton<IDeploymentStore, EfDeploymentStore>();
        services.TryAddSingleton<IApiTokens, EfApiTokens>();
        services.TryAddSingleton<IWebhookDeliveries, EfWebhookDeliveries>();

        // Jobs and locks: Redis when queue.provider says so, else the deployment database (one machine, no Redis).
        services.TryAddSingleton<EmbeddedJobQueue>();
        services.TryAddSingleton<EmbeddedDeployLock>();
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<RedisJobQueue>();
        services.TryAddSingleton<RedisDeployLock>();
        services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<IOptions<QueueOptions>>().Value.UsesRedis
            ? sp.GetRequiredService<RedisJobQueue>()
            : sp.GetRequiredService<EmbeddedJobQueue>());
        services.TryAddSingleton<IDeployLock>(sp => sp.GetRequiredService<IOptions<QueueOptions>>().Value.UsesRedis
            ? sp.GetRequiredService<RedisDeployLock>()
            : sp.GetRequiredService<EmbeddedDeployLock>());
        services.AddConfigurationSection<SecretScanOptions>(SecretScanOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IImageScanner, TrivyImageScanner>();
        services.AddConfigurationSection<TrivyOptions>(TrivyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrivyOptions>, TrivyOptionsValidator>());

        // Kubernetes: a cluster per environment's target (kubeconfig context or in-cluster), images pushed with docker when a registry is set.
        services.TryAddSingleton<Application.Deploy.Kubernetes.IKubernetesClusterFactory, KubernetesClusterFactory>();
        services.TryAddSingleton<Application.Deploy.Kubernetes.IImagePublisher, DockerImagePublisher>();

        // The nginx router itself is created per host (with that host's runner); only its settings are bound here.
        services.AddConfigurationSection<NginxOptions>(NginxOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NginxOptions>, NginxOptionsValidator>());

        // GitHub reports (commit statuses, the PR comment, Deployments API); inactive without a token in github.tokenVariable.
        services.AddConfigurationSection<GitHubOptions>(GitHubOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>());
        services.TryAddSingleton<IDeploymentReporter, GitHubReporter>();
        return builder;
    }
}
