using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace DeployMind.Application;

/// <summary>The use cases' registrations and options, shared by the CLI and the server.</summary>
public static class DependencyInjection
{
    /// <summary>Binds and validates options (failing fast at start), records the bound sections for the configuration check, and registers the use cases.</summary>
    public static IHostApplicationBuilder AddDeployMindApplication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAppConfigurationSection<BuildOptions>(BuildOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddScoped<BuildService>();
        builder.Services.TryAddScoped<InitService>();
        builder.Services.TryAddScoped<HealthChecker>();
        builder.Services.AddAppConfigurationSection<AppOptions>(string.Empty);
        builder.Services.TryAddScoped<ReleaseLauncher>();
        builder.Services.TryAddScoped<RollingStrategy>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IDeploymentStrategy, RollingStrategy>(sp => sp.GetRequiredService<RollingStrategy>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IDeploymentStrategy, CanaryStrategy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IDeploymentStrategy, BlueGreenStrategy>());
        builder.Services.TryAddScoped<RollbackService>();
        builder.Services.TryAddScoped<Deploy.Kubernetes.KubernetesDeployer>();
        builder.Services.TryAddScoped<Deploy.Kubernetes.KubernetesPreflight>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<Deploy.Targets.IDeployTarget, Deploy.Targets.DockerHostsTarget>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<Deploy.Targets.IDeployTarget, Deploy.Targets.KubernetesTarget>());
        builder.Services.TryAddScoped<Deploy.Delivery.ImageDelivery>();
        builder.Services.TryAddScoped<DeployService>();
        builder.Services.TryAddScoped<Security.SecretValues>();
        builder.Services.TryAddScoped<Deploy.Secrets.SecretResolver>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Deploy.Secrets.ISecretLookup, Deploy.Secrets.EnvironmentSecretLookup>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Deploy.Secrets.ISecretLookup, Deploy.Secrets.EnvFileSecretLookup>());
        builder.Services.AddAppConfigurationSection<PipelineOptions>(PipelineOptions.SectionName);
        builder.Services.AddConfigurationSection<Jobs.QueueOptions>(Jobs.QueueOptions.SectionName);
        builder.Services.TryAddScoped(sp => new PipelineOrchestrator(
            sp.GetServices<IPipelineStage>(),
            sp.GetServices<IPipelineAdvisor>(),
            sp.GetRequiredService<ITextRedactor>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PipelineOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IConfigurationLocator>()));
        builder.Services.TryAddScoped<DeploymentRunner>();
        builder.Services.TryAddScoped<RollbackRunner>();
        builder.Services.TryAddScoped<AppRemoval>();
        builder.Services.TryAddScoped<AppLifecycle>();
        builder.Services.TryAddScoped<Accessories>();
        builder.Services.TryAddScoped<ReleaseVariables>();
        builder.Services.TryAddScoped<ScanService>();
        builder.Services.TryAddSingleton<ConfigurationChecker>();
        builder.Services.AddConfigurationSection<Webhooks.ServerOptions>(Webhooks.ServerOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<Webhooks.ServerOptions>, Webhooks.ServerOptionsValidator>());
        builder.Services.TryAddSingleton<Jobs.DeploymentIntake>();
        builder.Services.TryAddSingleton<Jobs.JobRunner>();
        builder.Services.TryAddSingleton<Jobs.IJobRunner>(sp => sp.GetRequiredService<Jobs.JobRunner>());
        builder.Services.TryAddSingleton<Jobs.TargetLocks>();
        builder.Services.TryAddScoped<Jobs.InterruptedDeployments>();
        builder.Services.TryAddScoped<Deploy.Domains.CertificateRenewals>();
        builder.Services.TryAddSingleton<ProcessAppOptions>();
        builder.Services.TryAddSingleton<Webhooks.WebhookIntake>();
        builder.Services.TryAddSingleton<Webhooks.PreviewSweep>();

        // Notifications of deploy events (Slack, Discord, Teams, email, signed webhook): one of the reporters (Infrastructure's senders).
        builder.Services.AddAppConfigurationSection<Notifications.NotificationOptions>(Notifications.NotificationOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<Notifications.NotificationOptions>, Notifications.NotificationOptionsValidator>());
        builder.Services.TryAddSingleton<Notifications.NotificationDispatcher>();
        builder.Services.TryAddSingleton<Notifications.IDeploymentNotifier>(sp => sp.GetRequiredService<Notifications.NotificationDispatcher>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineStage, ScanStage>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineStage, BuildStage>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineStage, DeployStage>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineStage, VerifyStage>());

        // The stage agents: rule-based explanations always; a model's when ai: has one (IAgentModel, from Infrastructure).
        builder.Services.AddConfigurationSection<Agents.AiOptions>(Agents.AiOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<Agents.AiOptions>, Agents.AiOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new Agents.AgentAnswerCache(
            sp.GetService<Agents.IAgentAnswerStore>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Agents.AgentAnswerCache>>()));
        builder.Services.TryAddSingleton<Agents.AgentBudgets>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineAdvisor, Agents.SecurityAgent>(sp => Agent(sp, (m, r, o, c, b, t) => new Agents.SecurityAgent(m, r, o, c, b, t))));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineAdvisor, Agents.BuildAgent>(sp => Agent(sp, (m, r, o, c, b, t) => new Agents.BuildAgent(m, r, o, c, b, t))));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPipelineAdvisor, Agents.DeployAgent>(sp => Agent(sp, (m, r, o, c, b, t) => new Agents.DeployAgent(m, r, o, c, b, t))));
        builder.Services.TryAddScoped(sp => new Agents.DockerfileOptimizer(
            sp.GetService<Agents.IAgentModel>(),
            sp.GetRequiredService<ITextRedactor>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Agents.AiOptions>>(),
            sp.GetRequiredService<Agents.AgentAnswerCache>(),
            sp.GetRequiredService<Agents.AgentBudgets>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<Build.IDockerfileLinter>()));
        builder.Services.TryAddScoped(sp => new Agents.DeploymentExplainer(
            sp.GetRequiredService<Records.IDeploymentStore>(),
            sp.GetService<Agents.IAgentModel>(),
            sp.GetRequiredService<ITextRedactor>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Agents.AiOptions>>(),
            sp.GetRequiredService<Agents.AgentAnswerCache>(),
            sp.GetRequiredService<Agents.AgentBudgets>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }

    /// <summary>A stage agent with the model when one is registered (the agents answer from rules without it).</summary>
    private static T Agent<T>(
        IServiceProvider sp,
        Func<Agents.IAgentModel?, ITextRedactor, Microsoft.Extensions.Options.IOptions<Agents.AiOptions>, Agents.AgentAnswerCache, Agents.AgentBudgets, TimeProvider, T> create)
        where T : Agents.StageAgent =>
        create(
            sp.GetService<Agents.IAgentModel>(),
            sp.GetRequiredService<ITextRedactor>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Agents.AiOptions>>(),
            sp.GetRequiredService<Agents.AgentAnswerCache>(),
            sp.GetRequiredService<Agents.AgentBudgets>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System);
}
