using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    // The golang image's GOMODCACHE; GOCACHE is /root/.cache/go-build (the build stage runs as root).
    private const string GoModCache = "/go/pkg/mod";

    private void WriteGo(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var mainPackage = Fact(d, DetectionFacts.GoMainPackage, ".");
        var manifests = d.Lockfile == "go.sum" ? "go.mod go.sum" : "go.mod";
        w.Blank().Comment("Build stage: modules downloaded before the sources are copied, a static binary built.")
            .Line($"FROM {VersionedImage(BaseImageCatalog.Golang, Fact(d, DetectionFacts.GoVersion), image, "1.22")} AS build")
            .Line("WORKDIR /src")
            .Line($"COPY {manifests} ./")
            .RunCached([GoModCache], "go mod download")
            .Line("COPY . .")
            .RunCached([GoModCache, "/root/.cache/go-build"], $"CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/server {mainPackage}");

        // The runtime image has no shell: the binary reads PORT itself, and there is no client for a HEALTHCHECK
        // (DeployMind's own health checks probe the app from outside).
        w.Blank().Comment("Runtime stage: distroless, no shell, unprivileged `nonroot` user.")
            .Line($"FROM {image(BaseImageCatalog.StaticRuntime)}")
            .Line($"ENV PORT={d.Port}")
            .Line("COPY --from=build /out/server /app/server")
            .Line("USER 65532:65532")
            .Line($"EXPOSE {d.Port}");
        var command = d.StartCommandFromProcfile ? d.StartCommand : "/app/server";
        w.Exec("ENTRYPOINT", command.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
