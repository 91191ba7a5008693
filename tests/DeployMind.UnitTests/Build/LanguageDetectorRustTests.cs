using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorRustTests
{
    [Fact]
    public async Task DetectAsync_AxumPackage_RunsPackageBinary()
    {
        using var app = new TempAppFolder()
            .Write("Cargo.toml", """
                [package]
                name = "shop-api"
                version = "0.1.0"
                edition = "2021"

                [dependencies]
                axum = "0.7"
                tokio = { version = "1", features = ["full"] }
                """)
            .Write("Cargo.lock", "")
            .Write("src/main.rs", "fn main() {}");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Rust, result.Language);
        Assert.Equal("axum", result.Framework);
        Assert.Null(result.EntryPoint);
        Assert.Equal("/app/shop-api", result.StartCommand);
        Assert.Equal(8080, result.Port);
        Assert.Equal("cargo", result.PackageManager);
        Assert.Equal("Cargo.lock", result.Lockfile);
        Assert.Equal("shop-api", result.Facts[DetectionFacts.RustBinary]);
        Assert.Equal(["Cargo.toml", "Cargo.toml: dependency axum", "Cargo.lock", "port 8080 is Axum's default (not found in the code)"], result.Evidence);
        Assert.Equal(0.7, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_ActixWithBinTarget_RunsBinTarget()
    {
        using var app = new TempAppFolder()
            .Write("Cargo.toml", """
                [package]
                name = "backend"

                [[bin]]
                name = "server"
                path = "src/bin/server.rs"

                [dependencies.actix-web]
                version = "4"
                """);

        var result = await app.DetectAsync();

        Assert.Equal("actix", result.Framework);
        Assert.Equal("/app/server", result.StartCommand);
        Assert.Equal("server", result.Facts[DetectionFacts.RustBinary]);
        Assert.Contains("Cargo.toml: dependency actix-web", result.Evidence);
    }
}
