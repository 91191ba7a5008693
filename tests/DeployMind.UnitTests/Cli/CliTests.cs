using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Detect_NodeApp_PrintsJsonWithLanguageAndEvidence()
    {
        Write("package.json", """{ "name": "shop", "main": "server.js", "scripts": { "start": "node server.js" }, "dependencies": { "express": "4.21.2" } }""");
        Write("package-lock.json", "{}");
        Write("server.js", "require('express')");

        var (code, output) = await RunAsync("detect", _dir.FullName, "--output", "json");

        Assert.Equal(ExitCodes.Success, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("node", json.RootElement.GetProperty("language").GetString());
        Assert.Equal("express", json.RootElement.GetProperty("framework").GetString());
        Assert.Contains(json.RootElement.GetProperty("evidence").EnumerateArray(), e => e.GetString()!.Contains("package.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Detect_EmptyFolder_ExitsThreeSayingWhatWasLookedFor()
    {
        var (code, output) = await RunAsync("detect", _dir.FullName);

        Assert.Equal(ExitCodes.DetectionFailed, code);
        Assert.Contains("Could not detect the language", output, StringComparison.Ordinal);
        Assert.Contains("package.json", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_MissingFolder_ExitsTwoNamingIt()
    {
        var missing = Path.Combine(_dir.FullName, "nope");

        var (code, output) = await RunAsync("detect", missing);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(missing, output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_PythonApp_WritesFilesAndKeepsThemOnSecondRun()
    {
        Write("requirements.txt", "flask==3.0.0\n");
        Write("app.py", "from flask import Flask\napp = Flask(__name__)\n");

        var (code, output) = await RunAsync("init", _dir.FullName);
        var dockerfile = File.ReadAllText(Path.Combine(_dir.FullName, "Dockerfile"));
        File.WriteAllText(Path.Combine(_dir.FullName, "Dockerfile"), "FROM scratch\n");
        var (code2, output2) = await RunAsync("init", _dir.FullName);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("created", output, StringComparison.Ordinal);
        Assert.Contains("FROM python:3.12-slim-bookworm AS build", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir.FullName, ".dockerignore")));
        Assert.True(File.Exists(Path.Combine(_dir.FullName, "deploymind.yml")));
        Assert.Equal(ExitCodes.Success, code2);
        Assert.Contains("kept", output2, StringComparison.Ordinal);
        Assert.Equal("FROM scratch\n", File.ReadAllText(Path.Combine(_dir.FullName, "Dockerfile")));
    }

    [Fact]
    public async Task Init_Force_OverwritesExistingDockerfile()
    {
        Write("go.mod", "module example.com/x\n\ngo 1.22\n");
        Write("main.go", "package main\nfunc main() {}\n");
        Write("Dockerfile", "FROM scratch\n");

        var (code, output) = await RunAsync("init", _dir.FullName, "--force", "--output", "json");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("\"overwritten\"", output, StringComparison.Ordinal);
        Assert.Contains("go mod download", File.ReadAllText(Path.Combine(_dir.FullName, "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_InvalidConfiguration_ExitsTwoNamingTheKey()
    {
        Write("go.mod", "module example.com/x\n\ngo 1.22\n");
        Write("deploymind.yml", "build:\n  path: ''\n");

        var (code, output) = await RunAsync("build", _dir.FullName);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("Path", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_BrokenYaml_ExitsTwoWithTheLine()
    {
        Write("go.mod", "module example.com/x\n\ngo 1.22\n");
        Write("deploymind.yml", "build:\n  path: .\n   network: [host\n");

        var (code, output) = await RunAsync("build", _dir.FullName);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("Line", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Build_InvalidTag_ExitsTwoExplainingTheFormat()
    {
        Write("go.mod", "module example.com/x\n\ngo 1.22\n");
        Write("main.go", "package main\nfunc main() {}\n");

        var (code, output) = await RunAsync("build", _dir.FullName, "--tag", "Bad Tag!");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("not a valid image tag", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_RootAndLatest_ExitsFourListingFindingsWithLines()
    {
        var dockerfile = Write("Dockerfile", "FROM node:latest\nWORKDIR /app\nCOPY . .\nCMD node server.js\n");

        var (code, output) = await RunAsync("lint", dockerfile);

        Assert.Equal(ExitCodes.LintFindings, code);
        Assert.Contains("DM001", output, StringComparison.Ordinal);
        Assert.Contains("DM002", output, StringComparison.Ordinal);
        Assert.Contains("DM015", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_FailOnNone_ExitsZeroDespiteFindings()
    {
        var dockerfile = Write("Dockerfile", "FROM node:latest\n");

        var (code, _) = await RunAsync("lint", dockerfile, "--fail-on", "none");

        Assert.Equal(ExitCodes.Success, code);
    }

    [Fact]
    public async Task Lint_Sarif_WritesSarifWithResultsAndLines()
    {
        var dockerfile = Write("Dockerfile", "FROM alpine:3.20\nRUN apk add curl\nUSER 1000\n");

        var (_, output) = await RunAsync("lint", dockerfile, "--format", "sarif");

        using var sarif = JsonDocument.Parse(output);
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var result = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "DM012");
        Assert.Equal(2, result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Fact]
    public async Task Lint_MissingDockerfile_ExitsTwoSayingWhatToDo()
    {
        var (code, output) = await RunAsync("lint", Path.Combine(_dir.FullName, "Dockerfile"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("deploymind init", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_Rules_ListsTheCatalogue()
    {
        var (code, output) = await RunAsync("lint", "--rules", "--output", "json");

        Assert.Equal(ExitCodes.Success, code);
        using var rules = JsonDocument.Parse(output);
        Assert.Contains(rules.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == "DM002");
    }

    [Fact]
    public async Task Scan_CommittedToken_ExitsSevenWithRedactedFindingAndSarif()
    {
        var token = "gh" + "p_" + new string('a', 4) + "Zk3Q9x" + "Lm2Vb8Rt5Yw1Pq7Ns4Jd6Hc0Ug";
        Write("config.js", $"module.exports = {{\n  token: \"{token}\",\n}};\n");

        var (code, output) = await RunAsync("scan", _dir.FullName);
        var (sarifCode, sarif) = await RunAsync("scan", _dir.FullName, "--format", "sarif");

        Assert.Equal(ExitCodes.ScanBlocked, code);
        Assert.Equal(ExitCodes.ScanBlocked, sarifCode);
        Assert.Contains("DMS003", output, StringComparison.Ordinal);
        Assert.Contains("config.js", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(sarif);
        var result = doc.RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        Assert.Equal(2, result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.DoesNotContain(token, output + sarif, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_CleanFolder_ExitsZero()
    {
        Write("app.py", "print('hello')\n");

        var (code, output) = await RunAsync("scan", _dir.FullName);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("none blocking", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralMistakes_ReportsEveryOneNamingItsKey()
    {
        Write("deploymind.yml", "environments:\n  production:\n    strategy: green-blue\n    healthCheck: { interval: 2 seconds }\n  staging:\n    canary: { steps: [50, 10] }\n");

        var (code, output) = await RunAsync("validate", _dir.FullName, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        using var doc = JsonDocument.Parse(output);
        var failed = doc.RootElement.EnumerateArray().Where(r => !r.GetProperty("passed").GetBoolean()).Select(r => r.GetProperty("detail").GetString()!).ToList();
        Assert.Contains(failed, d => d.EndsWith("deploymind.yml:3:15: environments.production.strategy: 'green-blue' is not a strategy; use rolling, canary or blue-green.", StringComparison.Ordinal));
        Assert.Contains(failed, d => d.EndsWith("deploymind.yml:4:30: environments.production.healthCheck.interval: '2 seconds' is not a duration; write it like 500ms, 2s, 5m, 1h30m or 72h.", StringComparison.Ordinal));
        Assert.Contains(failed, d => d.Contains("deploymind.yml:6:15: environments.staging.canary.steps [50, 10]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownCommand_ExitsTwo()
    {
        var (code, _) = await RunAsync("deploy-everything");

        Assert.Equal(ExitCodes.InvalidInput, code);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, CliHostFactory.Isolated(), CancellationToken.None);
        return (code, console.Output);
    }
}
