using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorGoTests
{
    [Fact]
    public async Task DetectAsync_GinWithCmdServer_DetectsGoFacts()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", """
                module github.com/acme/shop

                go 1.22

                require (
                	github.com/gin-gonic/gin v1.10.0 // web
                	github.com/google/uuid v1.6.0
                )

                require golang.org/x/net v0.25.0 // indirect
                """)
            .Write("go.sum", "")
            .Write("cmd/migrate/main.go", "package main")
            .Write("cmd/server/main.go", "package main");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Go, result.Language);
        Assert.Equal("gin", result.Framework);
        Assert.Equal("cmd/server/main.go", result.EntryPoint);
        Assert.Equal("/app/server", result.StartCommand);
        Assert.Equal(8080, result.Port);
        Assert.Equal("go", result.PackageManager);
        Assert.Equal("go.sum", result.Lockfile);
        Assert.Equal("1.22", result.Facts[DetectionFacts.GoVersion]);
        Assert.Equal("github.com/acme/shop", result.Facts[DetectionFacts.GoModule]);
        Assert.Equal("./cmd/server", result.Facts[DetectionFacts.GoMainPackage]);
        Assert.Equal(["go.mod", "go.mod: dependency github.com/gin-gonic/gin", "go.sum", "port 8080 is Gin's default (not found in the code)"], result.Evidence);
        Assert.Equal(0.7, result.Confidence);
    }

    [Theory]
    [InlineData("github.com/gin-gonic/gin v1.10.0", "gin")]
    [InlineData("github.com/labstack/echo/v4 v4.12.0", "echo")]
    [InlineData("github.com/gofiber/fiber/v2 v2.52.4", "fiber")]
    [InlineData("github.com/go-chi/chi/v5 v5.0.12", "chi")]
    [InlineData("github.com/go-chi/chi v1.5.5", "chi")]
    public async Task DetectAsync_RequiredModule_DetectsFramework(string require, string framework)
    {
        using var app = new TempAppFolder()
            .Write("go.mod", $"module example.com/api\n\ngo 1.21\n\nrequire {require}\n")
            .Write("main.go", "package main");

        var result = await app.DetectAsync();

        Assert.Equal(framework, result.Framework);
        Assert.Contains($"go.mod: dependency {require.Split(' ')[0]}", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_StandardLibraryOnly_RootMainPackage()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", "module example.com/hello\n\ngo 1.22.2\n")
            .Write("main.go", "package main\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n");

        var result = await app.DetectAsync();

        Assert.Null(result.Framework);
        Assert.Equal("main.go", result.EntryPoint);
        Assert.Equal(".", result.Facts[DetectionFacts.GoMainPackage]);
        Assert.Null(result.Lockfile);
        Assert.Equal(0.9, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_CmdFolderNamedAfterModule_PicksIt()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", "module github.com/acme/billing\n\ngo 1.22\n")
            .Write("cmd/api/main.go", "package main")
            .Write("cmd/billing/main.go", "package main");

        var result = await app.DetectAsync();

        Assert.Equal("./cmd/billing", result.Facts[DetectionFacts.GoMainPackage]);
    }
}
