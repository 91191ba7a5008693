using System.ComponentModel;
using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Cli.Hosting;
using DeployMind.Domain;
using DeployMind.Infrastructure.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind manifests [PATH] --env staging</c>: the Kubernetes manifests DeployMind would apply for the environment
/// (its strategy's Deployments, Service, autoscaler, disruption budget, ConfigMap), printed as YAML or JSON for users who
/// apply them with their own tooling. Nothing is built or sent to a cluster.
/// </summary>
internal sealed class ManifestsCommand : AsyncCommand<ManifestsCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public ManifestsCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var deploys = host.Services.GetRequiredService<DeployService>();
        var command = new Application.Deploy.DeployCommand(settings.Path) { Environment = settings.Environment };
        var plan = await host.Services.GetRequiredService<BuildService>().PlanAsync(settings.Path, settings.Image, cancellationToken);
        var port = plan.Detection?.Port;
        var kubernetes = deploys.KubernetesSettingsOf(command, port)
            ?? throw new InvalidInputException(
                $"environments.{settings.Environment}.target.kubernetes: the environment does not target Kubernetes; add target.kubernetes to it in deploymind.yml (or pick one that has it with --env).");
        var request = deploys.CreateRequest(command, Path.GetFullPath(settings.Path), plan.ImageTag, port);

        // The release is named after the image's tag, so the same image prints the same manifests (no rollout on re-apply).
        var tag = plan.ImageTag[(plan.ImageTag.LastIndexOf(':') + 1)..];
        request = request with { Release = request.Release with { ReleaseId = tag } };
        var workload = KubernetesDeployer.Workload(request, KubernetesNames.PulledImage(plan.ImageTag, kubernetes.Registry));
        var strategy = deploys.StrategyOf(command);
        var objects = KubernetesManifestGenerator.ForStrategy(workload, strategy, KubernetesDeployer.CanaryReplicas(kubernetes.Replicas, request.Canary.Steps[0]));
        var text = settings.Output == ManifestFormat.Json ? KubernetesManifestGenerator.ToJson(objects) : KubernetesManifestGenerator.ToYaml(objects);
        _console.Profile.Out.Writer.WriteLine(text.TrimEnd());
        _console.Profile.Out.Writer.Flush();
        if (workload.ReleaseSecret is { } secret)
        {
            // The values are resolved when deploymind deploys and go to the cluster only: never printed, so on standard error
            // (standard output stays a valid manifest) it says what the Deployment expects.
            Console.Error.WriteLine(
                $"The Deployment reads env.secret ({string.Join(", ", kubernetes.Secrets)}) from the Secret {secret}, which is not printed: "
                + $"create it yourself, e.g. `kubectl create secret generic {secret} -n {kubernetes.Namespace} --from-env-file=<file>`.");
        }

        return ExitCodes.Success;
    }

    /// <summary>How the manifests are printed.</summary>
    public enum ManifestFormat
    {
        Yaml,
        Json,
    }

    /// <summary>Options of <c>deploymind manifests</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[PATH]")]
        [Description("The application folder. Default: the current folder.")]
        public string Path { get; set; } = ".";

        [CommandOption("-e|--env <ENVIRONMENT>")]
        [Description("The environment whose target.kubernetes settings and strategy are used (default: production).")]
        public string Environment { get; set; } = "production";

        [CommandOption("-c|--config <FILE>")]
        [Description("Configuration file to use instead of the app's deploymind.yml.")]
        public string? Config { get; set; }

        [CommandOption("-i|--image <IMAGE>")]
        [Description("The image to run (default: the tag `deploymind build` gives the folder, under target.kubernetes.registry when set).")]
        public string? Image { get; set; }

        [CommandOption("-o|--output <FORMAT>")]
        [Description("yaml (default, documents separated by ---) or json (a v1 List).")]
        [DefaultValue(ManifestFormat.Yaml)]
        public ManifestFormat Output { get; set; } = ManifestFormat.Yaml;

        [CommandOption("-v|--verbose")]
        [Description("Log debug output to standard error.")]
        public bool Verbose { get; set; }

        public override ValidationResult Validate() =>
            DeployMindCli.FolderExists(Path)
                ? ValidationResult.Success()
                : ValidationResult.Error($"The application folder '{System.IO.Path.GetFullPath(Path)}' does not exist.");
    }
}
