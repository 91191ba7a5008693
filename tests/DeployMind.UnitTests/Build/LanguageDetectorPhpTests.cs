using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorPhpTests
{
    [Fact]
    public async Task DetectAsync_Laravel_ServesWithArtisan()
    {
        using var app = new TempAppFolder()
            .Write("composer.json", """{ "require": { "php": "^8.2", "laravel/framework": "^11.0" } }""")
            .Write("composer.lock", "{}")
            .Write("artisan", "#!/usr/bin/env php")
            .Write("public/index.php", "<?php");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Php, result.Language);
        Assert.Equal("laravel", result.Framework);
        Assert.Equal("artisan", result.EntryPoint);
        Assert.Equal("php artisan serve --host=0.0.0.0 --port=$PORT", result.StartCommand);
        Assert.Equal(8000, result.Port);
        Assert.Equal("composer", result.PackageManager);
        Assert.Equal("composer.lock", result.Lockfile);
        Assert.Equal("^8.2", result.Facts[DetectionFacts.PhpVersion]);
        Assert.Equal(
            ["composer.json", "composer.json: dependency laravel/framework", "composer.lock", "artisan", "port 8000 is Laravel's default, given to the app in $PORT by the start command"],
            result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_PlainPhpWithPublicFolder_ServesPublic()
    {
        using var app = new TempAppFolder()
            .Write("composer.json", """{ "require": { "slim/slim": "^4" } }""")
            .Write("public/index.php", "<?php");

        var result = await app.DetectAsync();

        Assert.Null(result.Framework);
        Assert.Equal("public/index.php", result.EntryPoint);
        Assert.Equal("php -S 0.0.0.0:$PORT -t public", result.StartCommand);
        Assert.Null(result.Lockfile);
        Assert.Equal(0.9, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_PlainPhpWithoutPublicFolder_ServesRoot()
    {
        using var app = new TempAppFolder()
            .Write("composer.json", "{}")
            .Write("index.php", "<?php");

        var result = await app.DetectAsync();

        Assert.Equal("index.php", result.EntryPoint);
        Assert.Equal("php -S 0.0.0.0:$PORT -t .", result.StartCommand);
    }
}
