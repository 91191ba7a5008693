using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
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
        builder.Services.AddConfigurationSection<BuildOptions>(BuildOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<BuildService>();
        builder.Services.TryAddSingleton<InitService>();
        builder.Services.TryAddSingleton<HealthChecker>();
        builder.Services.AddConfigurationSection<AppOptions>(string.Empty);
        builder.Services.TryAddSingleton<ReleaseLauncher>();
        builder.Services.TryAddSingleton<RollingStrategy>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeploymentStrategy, RollingStrategy>(sp => sp.GetRequiredService<RollingStrategy>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeploymentStrategy, CanaryStrategy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeploymentStrategy, BlueGreenStrategy>());
        builder.Services.TryAddSingleton<RollbackService>();
        builder.Services.TryAddSingleton<Deploy.Kubernetes.KubernetesDeployer>();
        builder.Services.TryAddSingleton<Deploy.Kubernetes.KubernetesPreflight>();
        builder.Services.TryAddSingleton<DeployService>();
        builder.Services.AddConfigurationSection<PipelineOptions>(PipelineOptions.SectionName);
        builder.Services.AddConfigurationSection<Jobs.QueueOptions>(Jobs.QueueOptions.SectionName);
        builder.Services.TryAddSingleton<PipelineOrchestrator>();
        builder.Services.TryAddSingleton<DeploymentRunner>();
        builder.Services.TryAddSingleton<RollbackRunner>();
        builder.Services.TryAddSingleton<ScanService>();
        builder.Services.TryAddSingleton<ConfigurationChecker>();
        builder.Services.AddConfigurationSection<Webhooks.ServerOptions>(Webhooks.ServerOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<Webhooks.ServerOptions>, Webhooks.ServerOptionsValidator>());
        builder.Services.TryAddSingleton<Jobs.DeploymentIntake>();
        builder.Services.TryAddSingleton<Jobs.TargetLocks>();
        builder.Services.TryAddSingleton<Jobs.InterruptedDeployments>();
        builder.Services.TryAddSingleton<Webhooks.WebhookIntake>();
        builder.Services.TryAddSingleton<Webhooks.PreviewSweep>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, ScanStage>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, BuildStage>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, DeployStage>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPipelineStage, VerifyStage>());
        return builder;
    }
}
