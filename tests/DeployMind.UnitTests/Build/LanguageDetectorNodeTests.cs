using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorNodeTests
{
    [Fact]
    public async Task DetectAsync_ExpressWithPackageLock_DetectsNodeExpressNpm()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """
                {
                  "name": "shop",
                  "main": "server.js",
                  "scripts": { "start": "node server.js" },
                  "dependencies": { "express": "^4.19.2" }
                }
                """)
            .Write("package-lock.json", "{}")
            .Write("server.js", "require('express')().listen(process.env.PORT || 3000);");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Node, result.Language);
        Assert.Equal("express", result.Framework);
        Assert.Equal("server.js", result.EntryPoint);
        Assert.Equal("npm start", result.StartCommand);
        Assert.Equal(3000, result.Port);
        Assert.Equal("npm", result.PackageManager);
        Assert.Equal("package-lock.json", result.Lockfile);
        Assert.Equal(
            ["package.json", "package.json: dependency express", "package-lock.json", "package.json: scripts.start",
             "port 3000 from server.js:1 (require('express')().listen(process.env.PORT || 3000);)"],
            result.Evidence);
        Assert.Equal(1.0, result.Confidence);
        Assert.Equal(app.Root, result.AppPath);
        Assert.False(result.StartCommandFromProcfile);
    }

    [Theory]
    [InlineData("express", "express")]
    [InlineData("next", "next")]
    [InlineData("@nestjs/core", "nest")]
    [InlineData("fastify", "fastify")]
    [InlineData("@hapi/hapi", "hapi")]
    public async Task DetectAsync_FrameworkDependency_DetectsFramework(string dependency, string framework)
    {
        using var app = new TempAppFolder()
            .Write("package.json", $$"""{ "dependencies": { "{{dependency}}": "1.0.0" }, "scripts": { "start": "x" } }""")
            .Write("index.js", "app.listen(3000);\n");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Node, result.Language);
        Assert.Equal(framework, result.Framework);
        Assert.Equal(3000, result.Port);
        Assert.Contains($"package.json: dependency {dependency}", result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_NextWithExpressCustomServer_PrefersNext()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "dependencies": { "express": "4", "next": "14", "react": "18" } }""");

        var result = await app.DetectAsync();

        Assert.Equal("next", result.Framework);
    }

    [Theory]
    [InlineData("package-lock.json", "npm", "npm start")]
    [InlineData("npm-shrinkwrap.json", "npm", "npm start")]
    [InlineData("pnpm-lock.yaml", "pnpm", "pnpm start")]
    [InlineData("yarn.lock", "yarn", "yarn start")]
    [InlineData("bun.lockb", "bun", "bun run start")]
    [InlineData("bun.lock", "bun", "bun run start")]
    public async Task DetectAsync_Lockfile_UsesItsPackageManagerToStart(string lockfile, string packageManager, string startCommand)
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "start": "node index.js" }, "dependencies": { "fastify": "4" } }""")
            .Write(lockfile, "lock");

        var result = await app.DetectAsync();

        Assert.Equal(packageManager, result.PackageManager);
        Assert.Equal(lockfile, result.Lockfile);
        Assert.Equal(startCommand, result.StartCommand);
        Assert.Contains(lockfile, result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_PackageManagerFieldWithoutLockfile_HonoursField()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "packageManager": "pnpm@9.1.0+sha256.abc", "scripts": { "start": "node ." } }""");

        var result = await app.DetectAsync();

        Assert.Equal("pnpm", result.PackageManager);
        Assert.Null(result.Lockfile);
        Assert.Equal("pnpm start", result.StartCommand);
        Assert.Contains("package.json: packageManager pnpm@9.1.0+sha256.abc", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_PackageManagerFieldAndForeignLockfile_FieldWinsWithOwnLockfile()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "packageManager": "yarn@4.1.1", "scripts": { "start": "node ." } }""")
            .Write("package-lock.json", "{}")
            .Write("yarn.lock", "# yarn");

        var result = await app.DetectAsync();

        Assert.Equal("yarn", result.PackageManager);
        Assert.Equal("yarn.lock", result.Lockfile);
        Assert.Equal("yarn start", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_NoStartScriptMainExists_RunsMainWithNode()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "main": "./lib/app.js", "dependencies": { "@hapi/hapi": "21" } }""")
            .Write("lib/app.js", "");

        var result = await app.DetectAsync();

        Assert.Equal("lib/app.js", result.EntryPoint);
        Assert.Equal("node lib/app.js", result.StartCommand);
        Assert.Equal("hapi", result.Framework);
    }

    [Theory]
    [InlineData("server.js")]
    [InlineData("index.js")]
    [InlineData("app.js")]
    [InlineData("src/index.js")]
    public async Task DetectAsync_NoStartScriptNoMain_FindsConventionalEntry(string entry)
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "dependencies": { "express": "4" } }""")
            .Write(entry, "");

        var result = await app.DetectAsync();

        Assert.Equal(entry, result.EntryPoint);
        Assert.Equal($"node {entry}", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_BunWithoutStartScript_RunsEntryWithBun()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "dependencies": { "express": "4" } }""")
            .Write("bun.lockb", "")
            .Write("index.js", "");

        var result = await app.DetectAsync();

        Assert.Equal("bun", result.PackageManager);
        Assert.Equal("bun index.js", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_NextWithStartAndBuildScripts_StartsWithPackageManagerAfterBuild()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "build": "next build", "start": "next start" }, "dependencies": { "next": "14.2.0" } }""")
            .Write("package-lock.json", "{}");

        var result = await app.DetectAsync();

        Assert.Equal("next", result.Framework);
        Assert.Null(result.EntryPoint);
        Assert.Equal("npm start", result.StartCommand);
        Assert.Equal("true", result.Facts[DetectionFacts.BuildScript]);
        Assert.Equal("next start", result.Facts[DetectionFacts.StartScript]);
    }

    [Fact]
    public async Task DetectAsync_NextWithoutStartScriptOnPnpm_ExecsNextStart()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "build": "next build" }, "dependencies": { "next": "14.2.0" } }""")
            .Write("pnpm-lock.yaml", "");

        var result = await app.DetectAsync();

        Assert.Equal("pnpm exec next start", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_NestWithStartProdScript_RunsCompiledApp()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """
                {
                  "scripts": { "build": "nest build", "start": "nest start", "start:prod": "node dist/main" },
                  "dependencies": { "@nestjs/core": "10", "@nestjs/platform-express": "10" }
                }
                """)
            .Write("src/main.ts", "");

        var result = await app.DetectAsync();

        Assert.Equal("nest", result.Framework);
        Assert.Equal("dist/main.js", result.EntryPoint);
        Assert.Equal("npm run start:prod", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_EnginesNode_RecordsNodeVersion()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "engines": { "node": ">=20 <23" } }""")
            .Write(".nvmrc", "18");

        var result = await app.DetectAsync();

        Assert.Equal(">=20 <23", result.Facts[DetectionFacts.NodeVersion]);
    }

    [Fact]
    public async Task DetectAsync_Nvmrc_RecordsNodeVersion()
    {
        using var app = new TempAppFolder()
            .Write("package.json", "{}")
            .Write(".nvmrc", "v20.11.1\n");

        var result = await app.DetectAsync();

        Assert.Equal("v20.11.1", result.Facts[DetectionFacts.NodeVersion]);
        Assert.False(result.Facts.ContainsKey(DetectionFacts.BuildScript));
    }

    [Fact]
    public async Task DetectAsync_NoFramework_ScoresManifestOnly()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "dependencies": { "lodash": "4" }, "devDependencies": { "jest": "29" } }""")
            .Write("index.js", "require('http').createServer(handle).listen(3000);\n");

        var result = await app.DetectAsync();

        Assert.Null(result.Framework);
        Assert.Equal(0.9, result.Confidence);
        Assert.Equal("node index.js", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_MalformedPackageJson_StillNodeWithLowerConfidence()
    {
        using var app = new TempAppFolder()
            .Write("package.json", "{ \"name\": ")
            .Write("yarn.lock", "")
            .Write("index.js", "");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Node, result.Language);
        Assert.Equal("yarn", result.PackageManager);
        Assert.Equal(0.7, result.Confidence);
    }
}
