using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Jobs;
using DeployMind.Application.Notifications;
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
        services.TryAddScoped<IDockerfileGenerator, DockerfileGenerator>();
        services.TryAddSingleton<IImageBuilder, DockerBuilder>();
        services.TryAddSingleton<IHttpProbe, HttpProbe>();
        // AWS clients for hosts reached through SSM: created on first use, shared, on the standard credential/region chain.
        services.TryAddSingleton(_ => new Aws.AwsClients());
        services.TryAddScoped<DeployHostFactory>();
        services.TryAddScoped<IDeployHostFactory>(sp => sp.GetRequiredService<DeployHostFactory>());
        services.TryAddSingleton(sp => new Registry.EcrAuthorization(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<Application.Deploy.Delivery.IRegistryLogins, Registry.RegistryLogins>();
        services.TryAddScoped<IHostChecks, HostChecks>();
        services.TryAddSingleton<ISourceProvider, GitSourceProvider>();
        services.AddConfigurationSection<GitOptions>(GitOptions.SectionName);
        services.TryAddScoped<ISecretScanner, SecretScanner>();
        services.TryAddScoped<IRiskyConfigScanner, RiskyConfigScanner>();
        services.TryAddScoped<ITextRedactor, SecretTextRedactor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Application.Deploy.Secrets.ISecretLookup, Secrets.AwsSecretLookup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Application.Deploy.Secrets.ISecretLookup, Secrets.CliSecretLookup>());
        services.AddConfigurationSection<DatabaseOptions>(DatabaseOptions.SectionName);
        // One database per process, shared by the records, the tokens, the deliveries and the embedded queue and locks.
        services.TryAddSingleton(sp => new DeployMindDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        services.TryAddSingleton<IDeploymentStore>(sp => new EfDeploymentStore(sp.GetRequiredService<DeployMindDatabase>()));
        services.TryAddSingleton<IApiTokens>(sp => new EfApiTokens(sp.GetRequiredService<DeployMindDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IWebhookDeliveries>(sp => new EfWebhookDeliveries(sp.GetRequiredService<DeployMindDatabase>()));
        services.TryAddSingleton<Application.Agents.IAgentAnswerStore>(sp => new EfAgentAnswers(sp.GetRequiredService<DeployMindDatabase>(), sp.GetRequiredService<TimeProvider>()));

        // Jobs and locks: Redis when queue.provider says so, else the deployment database (one machine, no Redis).
        services.TryAddSingleton(sp => new EmbeddedJobQueue(sp.GetRequiredService<DeployMindDatabase>(), sp.GetRequiredService<IOptions<QueueOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new EmbeddedDeployLock(sp.GetRequiredService<DeployMindDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<RedisJobQueue>();
        services.TryAddSingleton<RedisDeployLock>();
        services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<IOptions<QueueOptions>>().Value.UsesRedis
            ? sp.GetRequiredService<RedisJobQueue>()
            : sp.GetRequiredService<EmbeddedJobQueue>());
        services.TryAddSingleton<IDeployLock>(sp => sp.GetRequiredService<IOptions<QueueOptions>>().Value.UsesRedis
            ? sp.GetRequiredService<RedisDeployLock>()
            : sp.GetRequiredService<EmbeddedDeployLock>());
        services.AddAppConfigurationSection<SecretScanOptions>(SecretScanOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddScoped<IImageScanner, TrivyImageScanner>();
        services.AddAppConfigurationSection<TrivyOptions>(TrivyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrivyOptions>, TrivyOptionsValidator>());

        // Kubernetes: a cluster per environment's target (kubeconfig context or in-cluster), images pushed with docker when a registry is set.
        services.TryAddSingleton<Application.Deploy.Kubernetes.IKubernetesClusterFactory, KubernetesClusterFactory>();
        services.TryAddSingleton<Application.Deploy.Kubernetes.IImagePublisher, DockerImagePublisher>();

        // The nginx router itself is created per host (with that host's runner); only its settings are bound here.
        services.AddAppConfigurationSection<NginxOptions>(NginxOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NginxOptions>, NginxOptionsValidator>());

        // GitHub reports (commit statuses, the PR comment, Deployments API); inactive without a token in github.tokenVariable.
        services.AddConfigurationSection<GitHubOptions>(GitHubOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>());
        services.TryAddSingleton<GitHubReporter>();

        // Every state change goes to GitHub and to the notification channels (Notifications/: the senders behind them).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, Notifications.SlackSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, Notifications.DiscordSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, Notifications.TeamsSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, Notifications.SignedWebhookSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSender, Notifications.EmailSender>());
        services.TryAddSingleton<Notifications.NotificationHttp>();
        services.TryAddSingleton<IDeploymentReporter>(sp => new DeploymentReporters(
            new IDeploymentReporter?[] { sp.GetRequiredService<GitHubReporter>(), sp.GetService<NotificationDispatcher>() }.OfType<IDeploymentReporter>()));

        // The stage agents' model: an IChatClient over the ai: section's OpenAI-compatible endpoint (none without a key).
        services.TryAddSingleton<Application.Agents.IAgentModel, Ai.OpenAiAgentModel>();
        return builder;
    }
}
