using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Cli;

/// <summary>A bad deploymind.yml, as a user meets it: every error names the key and the file:line:column it is written at.</summary>
public sealed class ConfigurationCliTests : IDisposable
{
    private const string TwoMistakes = """
        app: shop
        environments:
          production:
            strategy: canery
            target:
              docker:
                port: eighty
            healthCheck: { path: /health, interval: 2s }
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-cfg-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Validate_TwoBadKeys_ListsBothInOneRunWithTheirLines()
    {
        Write(TwoMistakes);

        var (code, output) = await RunAsync("validate", _dir.FullName, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        var failed = Results(output).Where(r => !r.Passed).Select(r => r.Detail).ToList();
        Assert.Contains(failed, d => d.EndsWith("deploymind.yml:4:15: environments.production.strategy: 'canery' is not a strategy; use rolling, canary or blue-green.", StringComparison.Ordinal));
        Assert.Contains(failed, d => d.EndsWith("deploymind.yml:7:15: environments.production.target.docker.port: 'eighty' is not a whole number.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_Table_ShowsEachProblemWithFileAndLine()
    {
        Write(TwoMistakes);

        var (code, output) = await RunAsync("validate", _dir.FullName);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("deploymind.yml:4:15: environments.production.strategy: 'canery'", output, StringComparison.Ordinal);
        Assert.Contains("deploymind.yml:7:15: environments.production.target.docker.port: 'eighty'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralMistakesInOneEnvironmentAndThePipeline_ReportsEach()
    {
        Write("""
            environments:
              production:
                strategy: canary
                healthCheck: { interval: 2x }
                canary: { stepDuration: soon }
                blueGreen:
                  observationWindow: forever
                verify: { interval: sometimes }
                scan: { blockAt: severe }
            pipeline:
              buildDeadline: 1 hour
            """);

        var (code, output) = await RunAsync("validate", _dir.FullName, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        var failed = Results(output).Where(r => !r.Passed).ToList();
        Assert.Contains(failed, r => r.Name == "configuration: environments.production" && r.Detail.EndsWith("deploymind.yml:4:30: environments.production.healthCheck.interval: '2x' is not a duration; write it like 500ms, 2s, 5m, 1h30m or 72h.", StringComparison.Ordinal));
        Assert.Contains(failed, r => r.Name == "configuration: environments.production" && r.Detail.Contains("deploymind.yml:5:29: environments.production.canary.stepDuration: 'soon'", StringComparison.Ordinal));
        Assert.Contains(failed, r => r.Name == "configuration: environments.production" && r.Detail.Contains("deploymind.yml:7:26: environments.production.blueGreen.observationWindow: 'forever'", StringComparison.Ordinal));
        Assert.Contains(failed, r => r.Name == "configuration: environments.production" && r.Detail.Contains("deploymind.yml:8:25: environments.production.verify.interval: 'sometimes'", StringComparison.Ordinal));
        Assert.Contains(failed, r => r.Name == "configuration: environments.production" && r.Detail.Contains("deploymind.yml:9:22: environments.production.scan.blockAt: 'severe'", StringComparison.Ordinal));
        Assert.Contains(failed, r => r.Name == "configuration: pipeline" && r.Detail.Contains("deploymind.yml:11:18: pipeline.buildDeadline: '1 hour'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_MisspeltKeys_WarnsWithTheLineAndTheClosestKey()
    {
        Write("""
            environments:
              production:
                stratgy: canary
                healthcheck:
                  intervall: 5s
                  path: /ready
            buid:
              path: .
            """);

        var (_, output) = await RunAsync("validate", _dir.FullName, "--output", "json");

        // Keys no setting has fail validate as they fail a deploy.
        var warnings = Results(output).Where(r => !r.Passed && r.Name.StartsWith("configuration", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains(warnings, w => w.Detail.EndsWith("deploymind.yml:3:5: environments.production.stratgy: not a known setting; did you mean strategy? Fix the key, or deploy with --allow-unknown-keys (the API's allowUnknownKeys) to ignore it.", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Detail.EndsWith("deploymind.yml:5:7: environments.production.healthcheck.intervall: not a known setting; did you mean interval? Fix the key, or deploy with --allow-unknown-keys (the API's allowUnknownKeys) to ignore it.", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Detail.EndsWith("deploymind.yml:7:1: buid: not a known setting; did you mean build? Fix the key, or deploy with --allow-unknown-keys (the API's allowUnknownKeys) to ignore it.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_UnknownStrategy_ExitsTwoNamingTheKeyAndLine()
    {
        Write(TwoMistakes.Replace("port: eighty", "port: 8080", StringComparison.Ordinal));

        var (code, output) = await RunAsync("deploy", _dir.FullName);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("deploymind.yml:4:15: environments.production.strategy: 'canery' is not a strategy", Unwrapped(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_MistypedKey_IsRefusedNamingTheKeyItMeant_AndNothingIsRecorded()
    {
        // Before, `stratgy: canary` was ignored and a rolling deploy ran and exited 0; only validate warned.
        Write("app: shop\nenvironments:\n  production:\n    stratgy: canary\n");
        var database = Path.Combine(_dir.FullName, "records.db");

        var (code, output) = await RunAsync(CliHostFactory.Isolated(database), "deploy", _dir.FullName);
        var (_, list) = await RunAsync(CliHostFactory.Isolated(database), "list", "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("deploymind.yml:4:5: environments.production.stratgy: not a known setting; did you mean strategy?", Unwrapped(output), StringComparison.Ordinal);
        Assert.Contains("--allow-unknown-keys", Unwrapped(output), StringComparison.Ordinal);
        Assert.Equal("[]", list.Trim());
    }

    [Fact]
    public async Task Deploy_EveryConfigurationProblem_IsReportedAtOnce_AsValidateDoes()
    {
        // Before, deploy stopped at the first problem it met: `interval: 2x` was reported by validate but not by deploy.
        Write("""
            app: shop
            environments:
              production:
                stratgy: canary
                healthCheck: { interval: 2x }
                keepReleases: three
                canary: { steps: [50, 10] }
            """);

        var (code, output) = await RunAsync("deploy", _dir.FullName);
        var text = Unwrapped(output);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("environments.production.stratgy: not a known setting", text, StringComparison.Ordinal);
        Assert.Matches(@"deploymind\.yml:5:\d+: environments\.production\.healthCheck\.interval: '2x' is not a duration", text);
        Assert.Contains("environments.production.keepReleases: 'three' is not a whole number", text, StringComparison.Ordinal);
        Assert.Contains("environments.production.canary.steps", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_AllowUnknownKeys_WarnsAndGoesOn_RecordingTheWarning()
    {
        Write("app: shop\nenvironments:\n  production:\n    stratgy: canary\n");
        var database = Path.Combine(_dir.FullName, "records.db");

        // --queue records the deployment without running it here: what matters is that the preparation let it through.
        var (code, output) = await RunAsync(CliHostFactory.Isolated(database), "deploy", _dir.FullName, "--queue", "--allow-unknown-keys");
        var (_, list) = await RunAsync(CliHostFactory.Isolated(database), "list", "--output", "json");

        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("warning:", output, StringComparison.Ordinal);
        Assert.Contains("environments.production.stratgy: not a known setting, so it is ignored; did you mean strategy?", Unwrapped(output), StringComparison.Ordinal);
        Assert.Contains("\"queued\"", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_AccessoryWithoutImage_IsRefusedBeforeAnythingIsBuilt_NamingTheKey()
    {
        Write("app: shop\naccessories:\n  cache: { port: 6379 }\n  db: { image: postgres:16, port: 70000 }\n");

        var (code, output) = await RunAsync("deploy", _dir.FullName, "--queue");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("accessories.cache.image: required", Unwrapped(output), StringComparison.Ordinal);
        Assert.Contains("accessories.db.port: 70000 is not a port", Unwrapped(output), StringComparison.Ordinal);

        var (checkedCode, validateOutput) = await RunAsync("validate", _dir.FullName, "--output", "json");
        Assert.Equal(ExitCodes.InvalidInput, checkedCode);
        Assert.Contains("accessories.cache.image: required", validateOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_Queue_MistypedKey_IsRefusedBeforeAnythingIsQueued()
    {
        Write("app: shop\nbuid:\n  path: .\n");

        var (code, output) = await RunAsync("deploy", _dir.FullName, "--queue");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("buid: not a known setting; did you mean build?", Unwrapped(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ValuesThatCannotBeRead_ExitsTwoBeforeDoingAnythingListingEach()
    {
        Write("""
            environments:
              production:
                keepReleases: three
                target:
                  docker:
                    port: eighty
            nginx:
              mode: Manged
            """);

        var (code, output) = await RunAsync("deploy", _dir.FullName);

        var text = Unwrapped(output);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("deploymind.yml:3:19: environments.production.keepReleases: 'three' is not a whole number.", text, StringComparison.Ordinal);
        Assert.Contains("deploymind.yml:6:15: environments.production.target.docker.port: 'eighty' is not a whole number.", text, StringComparison.Ordinal);
        Assert.Contains("deploymind.yml:8:9: nginx.mode: 'Manged' is not one of Managed, ConfD.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("scanning", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ConfigFlag_PointsAtThatFile()
    {
        var config = Path.Combine(_dir.FullName, "ci.yml");
        File.WriteAllText(config, "environments:\n  production:\n    strategy: green-blue\n");

        var (code, output) = await RunAsync("deploy", _dir.FullName, "--config", config);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("ci.yml:3:15: environments.production.strategy: 'green-blue'", Unwrapped(output), StringComparison.Ordinal);
    }

    private void Write(string content) => File.WriteAllText(Path.Combine(_dir.FullName, "deploymind.yml"), content + "\n");

    private static List<(string Name, bool Passed, bool Warning, string Detail)> Results(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(r => (
            r.GetProperty("name").GetString()!, r.GetProperty("passed").GetBoolean(), r.GetProperty("warning").GetBoolean(), r.GetProperty("detail").GetString()!))];
    }

    // The console wraps long lines; the tests read the text as one line per message.
    private static string Unwrapped(string output) => output.Replace("\n", string.Empty, StringComparison.Ordinal);

    private static Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(CliHostFactory.Isolated(), args);

    private static async Task<(int Code, string Output)> RunAsync(CliHostFactory hosts, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, hosts, CancellationToken.None);
        return (code, console.Output);
    }
}
