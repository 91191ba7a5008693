using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build;

namespace DeployMind.UnitTests.Build;

/// <summary>Cross-language behaviour: precedence, monorepos, stray files, loose files, Procfile, errors.</summary>
public sealed class LanguageDetectorTests
{
    [Fact]
    public async Task DetectAsync_ProcfileWeb_OverridesStartCommand()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "flask\n")
            .Write("app.py", "")
            .Write("Procfile", "release: python migrate.py\r\nweb:   gunicorn app:app --workers 4 --bind 0.0.0.0:$PORT  \r\nworker: celery -A tasks worker\r\n");

        var result = await app.DetectAsync();

        Assert.Equal("gunicorn app:app --workers 4 --bind 0.0.0.0:$PORT", result.StartCommand);
        Assert.True(result.StartCommandFromProcfile);
        Assert.Contains("Procfile: web", result.Evidence);
        Assert.Equal("flask", result.Framework);
    }

    [Fact]
    public async Task DetectAsync_ProcfileWithoutWeb_KeepsDetectedCommand()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "start": "node ." } }""")
            .Write("Procfile", "worker: node worker.js\n");

        var result = await app.DetectAsync();

        Assert.Equal("npm start", result.StartCommand);
        Assert.False(result.StartCommandFromProcfile);
        Assert.DoesNotContain("Procfile: web", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_MonorepoSubFolder_LooksOnlyInsideIt()
    {
        using var repo = new TempAppFolder()
            .Write("go.mod", "module example.com/monorepo\n\ngo 1.22\n")
            .Write("main.go", "package main")
            .Write("Procfile", "web: ./monorepo")
            .Write("Dockerfile", "FROM scratch")
            .Write("apps/web/package.json", """{ "scripts": { "start": "next start" }, "dependencies": { "next": "14" } }""")
            .Write("apps/web/yarn.lock", "");

        var result = await repo.DetectAsync("apps/web");

        Assert.Equal(repo.PathOf("apps/web"), result.AppPath);
        Assert.Equal(Language.Node, result.Language);
        Assert.Equal("next", result.Framework);
        Assert.Equal("yarn start", result.StartCommand);
        Assert.False(result.StartCommandFromProcfile);
        Assert.False(result.HasDockerfile);
        Assert.DoesNotContain(result.Evidence, evidence => evidence.Contains("go.mod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DetectAsync_MonorepoSubFolderWithoutApp_DoesNotWalkUp()
    {
        using var repo = new TempAppFolder()
            .Write("package.json", """{ "dependencies": { "express": "4" } }""")
            .Write("docs/README.md", "# docs");

        var error = await Assert.ThrowsAsync<LanguageNotDetectedException>(() => repo.DetectAsync("docs"));

        Assert.Equal(repo.PathOf("docs"), error.AppPath);
    }

    [Theory]
    [InlineData("node_modules")]
    [InlineData("vendor")]
    [InlineData("venv")]
    [InlineData(".venv")]
    [InlineData("__pycache__")]
    [InlineData("target")]
    [InlineData("bin")]
    [InlineData("obj")]
    [InlineData(".git")]
    [InlineData("dist")]
    [InlineData("build")]
    public async Task DetectAsync_StrayFilesInDependencyFolder_DoNotFlipLooseGuess(string ignored)
    {
        using var app = new TempAppFolder()
            .Write("lib/helpers.py", "def helper(): pass");
        for (var i = 0; i < 5; i++)
        {
            app.Write($"{ignored}/pkg{i}/main.go", "package main");
        }

        app.Write($"{ignored}/main.go", "package main")
            .Write($"{ignored}/package.json", """{ "dependencies": { "express": "4" } }""")
            .Write($"{ignored}/index.php", "<?php");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Python, result.Language);
        Assert.True(result.Confidence <= 0.6);
    }

    [Fact]
    public async Task DetectAsync_StrayManifestsInDependencyFolders_RootManifestDecides()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "fastapi\nuvicorn\n")
            .Write("main.py", "from fastapi import FastAPI\napp = FastAPI()\n")
            .Write("node_modules/express/package.json", """{ "name": "express", "main": "index.js" }""")
            .Write("node_modules/express/index.js", "")
            .Write("vendor/laravel/framework/composer.json", "{}")
            .Write(".venv/lib/python3.12/site-packages/x/go.mod", "module x");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Python, result.Language);
        Assert.Equal("fastapi", result.Framework);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_LaravelWithFrontEndPackageJson_PhpWins()
    {
        using var app = new TempAppFolder()
            .Write("composer.json", """{ "require": { "laravel/framework": "^11.0" } }""")
            .Write("artisan", "")
            .Write("package.json", """{ "scripts": { "build": "vite build", "dev": "vite" }, "devDependencies": { "vite": "5" } }""")
            .Write("package-lock.json", "{}");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Php, result.Language);
        Assert.Equal("laravel", result.Framework);
        Assert.Equal("composer", result.PackageManager);
        Assert.Contains("package.json: Node manifest also present, outweighed", result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_ExpressPackageJsonAndPlainPyproject_FrameworkBearingManifestWins()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "start": "node server.js" }, "dependencies": { "express": "4" } }""")
            .Write("pyproject.toml", "[tool.black]\nline-length = 100\n");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Node, result.Language);
        Assert.Equal("express", result.Framework);
        Assert.Contains("pyproject.toml: Python manifest also present, outweighed", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_PlainPackageJsonAndPlainPyproject_PythonWinsWithLowerConfidence()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "devDependencies": { "prettier": "3" } }""")
            .Write("pyproject.toml", "[project]\nname = \"svc\"\ndependencies = [\"httpx\"]\n")
            .Write("main.py", "PORT = int(os.environ.get(\"PORT\", 8000))\n");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Python, result.Language);
        Assert.Equal(0.8, result.Confidence);
        Assert.Contains("package.json: Node manifest also present, outweighed", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_EmptyFolder_ThrowsWithManifestsLookedFor()
    {
        using var app = new TempAppFolder();

        var error = await Assert.ThrowsAsync<LanguageNotDetectedException>(() => app.DetectAsync());

        Assert.Equal(app.Root, error.AppPath);
        foreach (var manifest in new[] { "package.json", "requirements.txt", "pyproject.toml", "go.mod", "pom.xml", "build.gradle", "Gemfile", "Cargo.toml", "composer.json", "*.csproj" })
        {
            Assert.Contains(manifest, error.LookedFor);
        }

        Assert.Contains("package.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_UnknownContent_Throws()
    {
        using var app = new TempAppFolder()
            .Write("README.md", "# hello")
            .Write("data/export.csv", "a,b")
            .Write("Dockerfile", "FROM nginx")
            .Write("src/Main.java", "class Main {}")
            .Write("static/js/site.js", "");

        await Assert.ThrowsAsync<LanguageNotDetectedException>(() => app.DetectAsync());
    }

    [Fact]
    public async Task DetectAsync_MissingFolder_ThrowsDirectoryNotFoundWithPath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "deploymind-missing-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => new LanguageDetector().DetectAsync(missing, CancellationToken.None));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task DetectAsync_DockerFiles_ReportedWhenPresent(bool dockerfile, bool dockerignore)
    {
        using var app = new TempAppFolder().Write("go.mod", "module x\n").Write("main.go", "package main");
        if (dockerfile)
        {
            app.Write("Dockerfile", "FROM golang");
        }

        if (dockerignore)
        {
            app.Write(".dockerignore", ".git");
        }

        var result = await app.DetectAsync();

        Assert.Equal(dockerfile, result.HasDockerfile);
        Assert.Equal(dockerignore, result.HasDockerignore);
    }

    [Theory]
    [InlineData("app.py", "from flask import Flask\napp = Flask(__name__)\n", Language.Python, "flask", "python app.py", 5000)]
    [InlineData("manage.py", "def main():\n    from django.core.management import execute_from_command_line\n", Language.Python, "django", "python manage.py runserver 0.0.0.0:$PORT", 8000)]
    [InlineData("main.go", "package main\n\nimport \"github.com/labstack/echo/v4\"\n", Language.Go, "echo", "/app/server", 8080)]
    [InlineData("index.js", "const express = require('express');\n", Language.Node, "express", "node index.js", 3000)]
    [InlineData("app.rb", "require 'sinatra'\n", Language.Ruby, "sinatra", "ruby app.rb", 4567)]
    public async Task DetectAsync_LooseEntryWithFrameworkImport_GuessesWithLowConfidence(
        string entry, string content, Language language, string framework, string startCommand, int port)
    {
        using var app = new TempAppFolder().Write(entry, content);

        var result = await app.DetectAsync();

        Assert.Equal(language, result.Language);
        Assert.Equal(framework, result.Framework);
        Assert.Equal(entry, result.EntryPoint);
        Assert.Equal(startCommand, result.StartCommand);
        Assert.Equal(port, result.Port);
        Assert.Null(result.Lockfile);
        Assert.Contains(entry, result.Evidence);
        Assert.Equal(0.6, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_LoosePhpFiles_GuessesPhp()
    {
        using var app = new TempAppFolder()
            .Write("index.php", "<?php echo 'hi';")
            .Write("lib/db.php", "<?php");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Php, result.Language);
        Assert.Equal("php -S 0.0.0.0:$PORT -t .", result.StartCommand);
        Assert.Equal(0.5, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_LooseFrontEndScriptsNextToPython_NodeNotGuessed()
    {
        using var app = new TempAppFolder()
            .Write("static/js/a.js", "")
            .Write("static/js/b.js", "")
            .Write("static/js/c.js", "")
            .Write("tools/report.py", "print('x')");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Python, result.Language);
        Assert.Null(result.EntryPoint);
        Assert.Equal(0.4, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_LooseFilesTooDeep_NotCounted()
    {
        using var app = new TempAppFolder()
            .Write("a/b/c/deep.py", "");

        await Assert.ThrowsAsync<LanguageNotDetectedException>(() => app.DetectAsync());
    }

    [Fact]
    public async Task DetectAsync_RelativePathWithTrailingSeparator_ReportsFullPath()
    {
        using var app = new TempAppFolder().Write("Gemfile", "gem 'rails'\n");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, app.Root) + Path.DirectorySeparatorChar;

        var result = await new LanguageDetector().DetectAsync(relative, CancellationToken.None);

        Assert.Equal(app.Root, result.AppPath);
    }

    [Fact]
    public async Task DetectAsync_CancelledToken_Throws()
    {
        using var app = new TempAppFolder().Write("package.json", "{}");
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new LanguageDetector().DetectAsync(app.Root, cancellation.Token));
    }
}
