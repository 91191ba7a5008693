using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    // The crate registry (CARGO_HOME of the rust image) and the target folder: compiled dependencies survive a change to
    // Cargo.toml. The target folder is one app's at a time (sharing=locked); the binary is copied out in the same RUN.
    private static readonly string[] RustCaches = ["/usr/local/cargo/registry", "/src/target,sharing=locked"];

    private static void WriteRust(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var binary = Fact(d, DetectionFacts.RustBinary, "app");
        w.Blank().Comment("Build stage: dependencies compiled against a stub main first, so source edits reuse them.")
            .Line($"FROM {image(BaseImageCatalog.Rust)} AS build")
            .Line("WORKDIR /src")
            .Line(d.Lockfile is null ? "COPY Cargo.toml ./" : $"COPY Cargo.toml {d.Lockfile} ./")
            .RunCached(RustCaches, "mkdir src",
                "echo 'fn main() {}' > src/main.rs",
                "cargo build --release",
                "rm -rf src")
            .Line("COPY . .")
            .RunCached(RustCaches, "touch src/main.rs",
                "cargo build --release",
                $"cp target/release/{binary} /app-binary");

        w.Blank().Comment("Runtime stage: slim Debian with CA certificates, run by an unprivileged user.")
            .Line($"FROM {image(BaseImageCatalog.DebianRuntime)}")
            .Run("apt-get update",
                "apt-get install -y --no-install-recommends ca-certificates",
                "rm -rf /var/lib/apt/lists/*",
                "useradd --create-home --uid 10001 --user-group app")
            .Line($"ENV PORT={d.Port}")
            .Line($"COPY --from=build /app-binary /app/{binary}")
            .Line("USER app")
            .Line($"EXPOSE {d.Port}")
            .Exec("CMD", CommandArguments(d.StartCommandFromProcfile ? d.StartCommand : $"/app/{binary}"));
    }
}
