using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    // NuGet's global packages folder (root in the SDK image); publish --no-restore reads the packages from it too.
    private const string NuGetPackages = "/root/.nuget/packages";

    private void WriteDotNet(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var project = Fact(d, DetectionFacts.DotNetProject, d.EntryPoint ?? "app.csproj").Replace('\\', '/');
        var projectDir = Path.GetDirectoryName(project)?.Replace('\\', '/') ?? string.Empty;
        var framework = Fact(d, DetectionFacts.DotNetTargetFramework);
        var version = framework.StartsWith("net", StringComparison.Ordinal) && !framework.StartsWith("netstandard", StringComparison.Ordinal) ? framework[3..] : null;
        var assembly = Fact(d, DetectionFacts.DotNetAssembly, Path.GetFileNameWithoutExtension(project));
        w.Blank().Comment("Build stage: restore from the project file alone, then publish.")
            .Line($"FROM {VersionedImage(BaseImageCatalog.DotNetSdk, version, image, "8.0")} AS build")
            .Line("WORKDIR /src")
            .Line($"COPY {project} ./{(projectDir.Length > 0 ? projectDir + "/" : string.Empty)}")
            .RunCached([NuGetPackages], $"dotnet restore {project}")
            .Line("COPY . .")
            .RunCached([NuGetPackages], $"dotnet publish {project} --configuration Release --no-restore --output /out");

        w.Blank().Comment("Runtime stage: ASP.NET Core runtime and its unprivileged `app` user.")
            .Line($"FROM {VersionedImage(BaseImageCatalog.DotNetRuntime, version, image, "8.0")}")
            .Line($"ENV PORT={d.Port}")
            .Line("WORKDIR /app")
            .Line("COPY --from=build --chown=app:app /out ./")
            .Line("USER app")
            .Line($"EXPOSE {d.Port}");
        var start = d.StartCommandFromProcfile ? d.StartCommand : $"dotnet {assembly}.dll --urls http://0.0.0.0:${{PORT}}";
        w.Exec("CMD", CommandArguments(start));
    }
}
