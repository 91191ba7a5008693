using DeployMind.Domain;
using DeployMind.Domain.Build;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Build;

/// <summary>
/// The build stage: detect the app, take its Dockerfile (or generate one), lint it, build the image.
/// Never writes a Dockerfile into the app folder (that is <see cref="InitService"/>'s job); a generated
/// Dockerfile is built from a file outside the folder.
/// </summary>
public sealed class BuildService
{
    private readonly ILanguageDetector _detector;
    private readonly IDockerfileGenerator _generator;
    private readonly IDockerfileLinter _linter;
    private readonly IImageBuilder _builder;
    private readonly BuildOptions _options;

    public BuildService(ILanguageDetector detector, IDockerfileGenerator generator, IDockerfileLinter linter, IImageBuilder builder, IOptions<BuildOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _detector = detector;
        _generator = generator;
        _linter = linter;
        _builder = builder;
        _options = options.Value;
    }

    /// <summary>Works out what will be built: the Dockerfile (existing or generated), its findings and the tag.</summary>
    /// <exception cref="LanguageNotDetectedException">There is no Dockerfile and the language is unknown.</exception>
    public async Task<BuildPlan> PlanAsync(string appPath, string? tag, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(appPath);
        if (!Directory.Exists(fullPath))
        {
            throw new DirectoryNotFoundException($"The application folder '{fullPath}' does not exist.");
        }

        var existing = Path.Combine(fullPath, "Dockerfile");
        DetectionResult? detection = null;
        try
        {
            detection = await _detector.DetectAsync(fullPath, cancellationToken);
        }
        catch (LanguageNotDetectedException) when (File.Exists(existing))
        {
            // An app with its own Dockerfile builds whatever its language.
        }

        string dockerfile;
        string? dockerignore = null;
        var generated = !File.Exists(existing);
        var builder = await BuilderAsync(cancellationToken);
        if (generated)
        {
            // The template's variant for the builder that will run: cache mounts with BuildKit, none with the classic builder.
            var output = _generator.Generate(detection!, builder.SupportsCacheMounts);
            dockerfile = output.Dockerfile;
            dockerignore = output.Dockerignore;
        }
        else
        {
            dockerfile = await File.ReadAllTextAsync(existing, cancellationToken);
        }

        var hasDockerignore = File.Exists(Path.Combine(fullPath, ".dockerignore"));
        var findings = _linter.Lint(dockerfile, new LintContext(hasDockerignore || dockerignore is not null));
        var imageTag = string.IsNullOrWhiteSpace(tag)
            ? $"{ImageNames.Repository(Path.GetFileName(fullPath))}:{await SourceFingerprint.ComputeAsync(fullPath, generated ? dockerfile : null, cancellationToken)}"
            : ImageNames.Validate(tag);
        return new BuildPlan(fullPath, detection, dockerfile, generated, hasDockerignore ? null : dockerignore, findings, imageTag) { Builder = builder };
    }

    /// <summary>
    /// The builder this app's builds use: <c>build.builder</c> (auto: what the engine offers, probed once per process).
    /// </summary>
    /// <exception cref="InvalidInputException">build.builder is buildkit and the engine offers none.</exception>
    public async Task<ImageBuilderInfo> BuilderAsync(CancellationToken cancellationToken)
    {
        switch (_options.Builder.Trim().ToLowerInvariant())
        {
            case "classic":
                return ImageBuilderInfo.Classic("build.builder is classic");
            case "buildkit":
                var probed = await _builder.ProbeAsync(cancellationToken);
                return probed.Kind == ImageBuilderKind.BuildKit
                    ? probed
                    : throw new InvalidInputException($"build.builder is buildkit, but this engine offers no BuildKit ({probed.Reason}). Install the docker buildx plugin, or set build.builder to auto (BuildKit when there is one) or classic.");
            default:
                return await _builder.ProbeAsync(cancellationToken);
        }
    }

    /// <summary>Builds the plan's image. A generated .dockerignore is put in the context for the build only.</summary>
    public async Task<BuildResult> BuildAsync(BuildPlan plan, IProgress<BuildProgress>? progress, bool noCache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var workDir = Directory.CreateTempSubdirectory("deploymind-build-");
        var written = plan.DockerfileGenerated || plan.Proposal is not null;
        var dockerfilePath = written ? Path.Combine(workDir.FullName, "Dockerfile") : Path.Combine(plan.AppPath, "Dockerfile");
        var dockerignorePath = Path.Combine(plan.AppPath, ".dockerignore");
        var wroteDockerignore = false;
        try
        {
            if (written)
            {
                await File.WriteAllTextAsync(dockerfilePath, plan.Dockerfile, cancellationToken);
            }

            // The classic builder reads .dockerignore only from the context root. Without one the context would
            // carry node_modules, .git and .env into the image, so the generated one stands in for this build.
            if (plan.GeneratedDockerignore is not null && !File.Exists(dockerignorePath))
            {
                await File.WriteAllTextAsync(dockerignorePath, plan.GeneratedDockerignore, cancellationToken);
                wroteDockerignore = true;
            }

            var request = new ImageBuildRequest(plan.AppPath, dockerfilePath, plan.ImageTag)
            {
                Network = string.IsNullOrWhiteSpace(_options.Network) ? null : _options.Network,
                Builder = plan.Builder?.Kind,
                NoCache = noCache,
                Labels = new Dictionary<string, string>
                {
                    ["io.deploymind.app"] = plan.ImageTag.Split(':')[0],
                    ["io.deploymind.dockerfile"] = plan.DockerfileSource,
                },
            };
            return await _builder.BuildAsync(request, progress, cancellationToken);
        }
        finally
        {
            if (wroteDockerignore)
            {
                File.Delete(dockerignorePath);
            }

            workDir.Delete(recursive: true);
        }
    }
}

/// <summary>What <see cref="BuildService"/> will build.</summary>
/// <param name="AppPath">Absolute app folder (the build context).</param>
/// <param name="Detection">The detected app; null when it has its own Dockerfile and an unknown language.</param>
/// <param name="Dockerfile">The Dockerfile text that will be built.</param>
/// <param name="DockerfileGenerated">True when generated (the app has no Dockerfile).</param>
/// <param name="GeneratedDockerignore">A generated .dockerignore used for the build when the app has none.</param>
/// <param name="Findings">Lint findings for the Dockerfile.</param>
/// <param name="ImageTag">The tag the image gets.</param>
public sealed record BuildPlan(
    string AppPath,
    DetectionResult? Detection,
    string Dockerfile,
    bool DockerfileGenerated,
    string? GeneratedDockerignore,
    IReadOnlyList<LintFinding> Findings,
    string ImageTag)
{
    /// <summary>Set when <see cref="Dockerfile"/> is the Build agent's proposal, used instead of the template or the app's own file.</summary>
    public DockerfileProposal? Proposal { get; init; }

    /// <summary>The builder the plan was made for (the generated Dockerfile uses cache mounts when it is BuildKit); null: the engine's.</summary>
    public ImageBuilderInfo? Builder { get; init; }

    /// <summary>Which Dockerfile is built: "proposal", "generated" (a template) or "repository" (the app's own).</summary>
    public string DockerfileSource => Proposal is not null ? "proposal" : DockerfileGenerated ? "generated" : "repository";
}

/// <summary>A Dockerfile the Build agent proposed, reviewed and found fit to build.</summary>
/// <param name="Model">The model that wrote it.</param>
/// <param name="Reason">What it changed and why (the model's words, redacted).</param>
/// <param name="OriginalLint">The lint findings of the Dockerfile it replaces.</param>
public sealed record DockerfileProposal(string Model, string Reason, IReadOnlyList<LintFinding> OriginalLint);
