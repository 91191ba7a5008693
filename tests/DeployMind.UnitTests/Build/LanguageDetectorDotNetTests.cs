using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorDotNetTests
{
    [Fact]
    public async Task DetectAsync_WebSdkProject_DetectsAspNetCore()
    {
        using var app = new TempAppFolder()
            .Write("Shop.Api.csproj", """
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net8.0</TargetFramework>
                  </PropertyGroup>
                </Project>
                """)
            .Write("Program.cs", "");

        var result = await app.DetectAsync();

        Assert.Equal(Language.DotNet, result.Language);
        Assert.Equal("aspnetcore", result.Framework);
        Assert.Equal("Shop.Api.csproj", result.EntryPoint);
        Assert.Equal("dotnet Shop.Api.dll", result.StartCommand);
        Assert.Equal(8080, result.Port);
        Assert.Equal("dotnet", result.PackageManager);
        Assert.Null(result.Lockfile);
        Assert.Equal("Shop.Api.csproj", result.Facts[DetectionFacts.DotNetProject]);
        Assert.Equal("Shop.Api", result.Facts[DetectionFacts.DotNetAssembly]);
        Assert.Equal("net8.0", result.Facts[DetectionFacts.DotNetTargetFramework]);
        Assert.Equal(
            ["Shop.Api.csproj", "Shop.Api.csproj: Sdk Microsoft.NET.Sdk.Web", "port 8080 is ASP.NET Core's default, given to the app in $PORT by the generated Dockerfile (--urls)"],
            result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_AssemblyNameAndLockfile_UsesAssemblyName()
    {
        using var app = new TempAppFolder()
            .Write("Api.csproj", """
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup><AssemblyName>shop</AssemblyName></PropertyGroup>
                </Project>
                """)
            .Write("packages.lock.json", "{}");

        var result = await app.DetectAsync();

        Assert.Equal("dotnet shop.dll", result.StartCommand);
        Assert.Equal("shop", result.Facts[DetectionFacts.DotNetAssembly]);
        Assert.Equal("packages.lock.json", result.Lockfile);
    }

    [Fact]
    public async Task DetectAsync_ConsoleProject_NoFramework()
    {
        using var app = new TempAppFolder()
            .Write("Worker.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>");

        var result = await app.DetectAsync();

        Assert.Equal(Language.DotNet, result.Language);
        Assert.Null(result.Framework);
        Assert.Equal("dotnet Worker.dll", result.StartCommand);
        Assert.Equal(0.9, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_SolutionWithWebAndTestProjects_PicksWebProject()
    {
        using var app = new TempAppFolder()
            .Write("Shop.sln", "")
            .Write("src/Shop.Core/Shop.Core.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>")
            .Write("src/Shop.Api/Shop.Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>")
            .Write("tests/Shop.Api.Tests/Shop.Api.Tests.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>")
            .Write("src/Shop.Api/bin/Debug/Stray.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>");

        var result = await app.DetectAsync();

        Assert.Equal("aspnetcore", result.Framework);
        Assert.Equal("src/Shop.Api/Shop.Api.csproj", result.Facts[DetectionFacts.DotNetProject]);
        Assert.Equal("dotnet Shop.Api.dll", result.StartCommand);
        Assert.Equal(["Shop.sln", "src/Shop.Api/Shop.Api.csproj", "src/Shop.Api/Shop.Api.csproj: Sdk Microsoft.NET.Sdk.Web"], result.Evidence.Take(3));
    }

    [Fact]
    public async Task DetectAsync_BlazorWebAssemblySdk_NotAspNetCore()
    {
        using var app = new TempAppFolder()
            .Write("Client.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.BlazorWebAssembly\"></Project>");

        var result = await app.DetectAsync();

        Assert.Null(result.Framework);
    }

    [Fact]
    public async Task DetectAsync_AspNetCoreFrameworkReference_DetectsAspNetCore()
    {
        using var app = new TempAppFolder()
            .Write("Host.csproj", """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>
                </Project>
                """);

        var result = await app.DetectAsync();

        Assert.Equal("aspnetcore", result.Framework);
        Assert.Contains("Host.csproj: FrameworkReference Microsoft.AspNetCore.App", result.Evidence);
    }
}
