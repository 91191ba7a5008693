using System.Diagnostics;
using System.Text.RegularExpressions;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Cli;

/// <summary>Strict input and the habits users bring: unknown options refused with "did you mean", help, version, completion.</summary>
public sealed partial class CliInputTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-cli-input-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Deploy_MistypedOption_IsRefusedWithTheOptionItMeant_AndNothingRuns()
    {
        // Before, `--strat canary` was ignored and a rolling deploy of the folder ran.
        var (code, output) = await RunAsync("deploy", _dir.FullName, "--strat", "canary");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("unknown option --strat for `deploymind deploy`; did you mean --strategy?", output, StringComparison.Ordinal);
        Assert.DoesNotContain("queued", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_MistypedOption_IsRefused()
    {
        var (code, output) = await RunAsync("list", "--lmit", "3");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("did you mean --limit?", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deplyo", "did you mean deploy?")]
    [InlineData("lock stat", "did you mean status?")]
    [InlineData("logs 3f2a --folow", "did you mean --follow?")]
    [InlineData("detect . extra", "unexpected argument 'extra'")]
    [InlineData("deploy . --port", "--port needs a value")]
    [InlineData("--verison", "did you mean --version?")]
    public async Task MistypedInput_IsRefusedSayingWhatWasMeant(string line, string expected)
    {
        var (code, output) = await RunAsync(line.Split(' '));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy . --strategy=canary -v")]
    [InlineData("list -n 3 --env production")]
    [InlineData("deploy . -- --not-an-option")]
    public async Task WellFormedInput_Parses(string line)
    {
        var console = new TestConsole().Width(400);

        var code = await DeployMindCli.ParseOnlyAsync(line.Split(' '), console);

        Assert.True(code == ExitCodes.Success, console.Output);
    }

    [Theory]
    [InlineData("lock", "release <TARGET>")]
    [InlineData("token", "create <NAME>")]
    [InlineData("help deploy", "deploymind deploy [PATH] [OPTIONS]")]
    [InlineData("help", "COMMANDS:")]
    public async Task AGroupAlone_AndHelpCommand_PrintHelp_ExitZero(string line, string expected)
    {
        var (code, output) = await RunAsync(line.Split(' '));

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (code, output) = await RunAsync("--version");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(DeployMindCli.Version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public async Task EveryHelpExample_Parses()
    {
        var failures = new List<string>();
        foreach (var example in CliCatalog.Commands.SelectMany(c => c.Examples))
        {
            var console = new TestConsole().Width(400);
            if (await DeployMindCli.ParseOnlyAsync(example, console) != ExitCodes.Success)
            {
                failures.Add($"deploymind {string.Join(' ', example)}: {console.Output.Trim()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(CliCatalog.Commands, c => Assert.NotEmpty(c.Examples));
    }

    [Fact]
    public async Task EveryCommandInTheDocsCodeBlocks_Parses()
    {
        var lines = DocsCommandLines().ToList();
        var failures = new List<string>();
        foreach (var (file, line) in lines)
        {
            var console = new TestConsole().Width(400);
            if (await DeployMindCli.ParseOnlyAsync(Words(line), console) != ExitCodes.Success)
            {
                failures.Add($"{file}: {line}: {console.Output.Trim()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // docs/cli.md shows every command in a code block.
        var inCli = lines.Where(l => l.File == "cli.md").Select(l => l.Line).ToList();
        Assert.All(CliCatalog.Commands, c => Assert.Contains(inCli, l => l.StartsWith("deploymind " + c.Name + " ", StringComparison.Ordinal) || l == "deploymind " + c.Name));
    }

    [Fact]
    public async Task ParseOnly_RefusesAMistypedDocsLine()
    {
        // The docs test above can fail: a mistyped option in a code block is caught.
        var console = new TestConsole().Width(400);

        var code = await DeployMindCli.ParseOnlyAsync(Words("deploymind deploy . --stratgy canary"), console);

        Assert.Equal(ExitCodes.InvalidInput, code);
    }

    [Fact]
    public async Task Lint_AFolder_LintsItsDockerfile()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "Dockerfile"), "FROM debian:latest\nUSER root\n");

        var (code, output) = await RunAsync("lint", _dir.FullName, "--fail-on", "none");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("DM", output, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_AFolderWithoutDockerfile_SaysSoAndHowToMakeOne()
    {
        var (code, output) = await RunAsync("lint", _dir.FullName);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("has no Dockerfile", output, StringComparison.Ordinal);
        Assert.Contains("deploymind init", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_PortAndStrategy_GoToTheStarterConfiguration_NotTheAppsOwnPort()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "package.json"), """{ "name": "shop", "main": "server.js", "dependencies": { "express": "4.21.2" } }""");
        File.WriteAllText(Path.Combine(_dir.FullName, "server.js"), "require('express')().listen(process.env.PORT || 3000)\n");

        var (code, output) = await RunAsync("init", _dir.FullName, "--port", "8081", "--strategy", "canary");
        var yml = File.ReadAllText(Path.Combine(_dir.FullName, "deploymind.yml"));

        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("strategy: canary", yml, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+port: 8081\n", yml);
    }

    [Fact]
    public async Task Init_WithoutPort_ServesOnNginxsDefault_NotTheDetectedAppPort()
    {
        // Before, the app's own port (3000) was written as the port nginx serves on.
        File.WriteAllText(Path.Combine(_dir.FullName, "package.json"), """{ "name": "shop", "main": "server.js", "dependencies": { "express": "4.21.2" } }""");
        File.WriteAllText(Path.Combine(_dir.FullName, "server.js"), "require('express')().listen(process.env.PORT || 3000)\n");

        var (code, _) = await RunAsync("init", _dir.FullName);
        var yml = File.ReadAllText(Path.Combine(_dir.FullName, "deploymind.yml"));

        Assert.Equal(ExitCodes.Success, code);
        Assert.Matches(@"\n\s+port: 8080\n", yml);
        Assert.Contains("strategy: rolling", yml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "0", "--port: 0 is not a port")]
    [InlineData("--strategy", "fast", "--strategy: 'fast' is not a strategy")]
    public async Task Init_BadChoice_IsRefusedNamingTheFlag(string option, string value, string expected)
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "go.mod"), "module example.com/x\n\ngo 1.22\n");
        File.WriteAllText(Path.Combine(_dir.FullName, "main.go"), "package main\nfunc main() {}\n");

        var (code, output) = await RunAsync("init", _dir.FullName, option, value);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "deploymind.yml")));
    }

    [Fact]
    public async Task Completion_Bash_CompletesCommandsOptionsAndValues()
    {
        var script = Path.Combine(_dir.FullName, "deploymind.bash");
        File.WriteAllText(script, await ScriptAsync("bash"));

        Assert.Equal(["deploy"], await BashCompleteAsync(script, "deploymind", "depl"));
        Assert.Equal(["--strategy"], await BashCompleteAsync(script, "deploymind", "deploy", ".", "--str"));
        Assert.Equal(["blue-green", "canary", "rolling"], await BashCompleteAsync(script, "deploymind", "deploy", "--strategy", ""));
        Assert.Equal(["--help", "release", "status"], await BashCompleteAsync(script, "deploymind", "lock", ""));
        Assert.Equal(["--output"], await BashCompleteAsync(script, "deploymind", "lock", "status", "--ou"));
        Assert.Equal(["json"], await BashCompleteAsync(script, "deploymind", "list", "-o", "j"));
    }

    [Fact]
    public async Task Completion_Zsh_CompletesThroughItsBashLayer()
    {
        var script = Path.Combine(_dir.FullName, "deploymind.zsh");
        File.WriteAllText(script, await ScriptAsync("zsh"));
        var check = await ShellAsync("zsh", "-n", script);
        Assert.True(check.Code == 0, check.Output);

        var run = await ShellAsync("zsh", "-c", $"source {script}; setopt ksharrays; COMP_WORDS=(deploymind deploy --strategy ''); COMP_CWORD=3; _deploymind; print -l -- \"${{COMPREPLY[@]}}\"");

        Assert.True(run.Code == 0, run.Output);
        Assert.Equal(["blue-green", "canary", "rolling"], Lines(run.Output).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Completion_Fish_CompletesCommandsOptionsAndValues()
    {
        var script = Path.Combine(_dir.FullName, "deploymind.fish");
        File.WriteAllText(script, await ScriptAsync("fish"));

        async Task<IReadOnlyList<string>> Complete(string line)
        {
            var run = await ShellAsync("fish", "--no-config", "-c", $"source {script}; complete -C '{line}'");
            Assert.True(run.Code == 0, run.Output);
            return [.. Lines(run.Output).Select(l => l.Split('\t')[0])];
        }

        Assert.Contains("deploy", await Complete("deploymind dep"));
        Assert.Contains("--strategy", await Complete("deploymind deploy --str"));
        Assert.Equal(["blue-green", "canary", "rolling"], (await Complete("deploymind deploy --strategy ")).Order(StringComparer.Ordinal));
        Assert.Equal(["release", "status"], (await Complete("deploymind lock ")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Completion_UnknownShell_IsRefused()
    {
        var (code, output) = await RunAsync("completion", "powershell");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("use bash, zsh or fish", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipedOutput_IsNotWrappedAt80Columns()
    {
        // A deep folder: its path is far wider than 80 columns, and must come out on one line when piped.
        var deep = _dir.CreateSubdirectory(string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 5)));
        File.WriteAllText(Path.Combine(deep.FullName, "go.mod"), "module example.com/x\n\ngo 1.22\n");
        File.WriteAllText(Path.Combine(deep.FullName, "main.go"), "package main\nfunc main() {}\n");
        var cli = Path.Combine(AppContext.BaseDirectory, "deploymind.dll");

        var run = await ProcessAsync("dotnet", [cli, "lint", deep.FullName], new Dictionary<string, string?> { ["COLUMNS"] = null });

        Assert.Contains(deep.FullName, run.Output, StringComparison.Ordinal);
    }

    private static async Task<string> ScriptAsync(string shell)
    {
        var (code, output) = await RunAsync("completion", shell);
        Assert.Equal(ExitCodes.Success, code);
        return output;
    }

    private static async Task<IReadOnlyList<string>> BashCompleteAsync(string script, params string[] words)
    {
        var array = string.Join(' ', words.Select(w => $"'{w}'"));
        var run = await ShellAsync("bash", "-c", $"source {script}; COMP_WORDS=({array}); COMP_CWORD={words.Length - 1}; _deploymind; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        Assert.True(run.Code == 0, run.Output);
        return [.. Lines(run.Output).Order(StringComparer.Ordinal)];
    }

    private static Task<(int Code, string Output)> ShellAsync(string shell, params string[] args) => ProcessAsync(shell, args, null);

    private static async Task<(int Code, string Output)> ProcessAsync(string file, string[] args, IReadOnlyDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start; is it installed (scripts/bootstrap.sh)?");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every line of a fenced code block in docs/*.md that runs deploymind, without its trailing comment.</summary>
    private static IEnumerable<(string File, string Line)> DocsCommandLines()
    {
        var docs = Path.Combine(RepositoryRoot(), "docs");
        foreach (var file in Directory.EnumerateFiles(docs, "*.md"))
        {
            var inBlock = false;
            foreach (var raw in File.ReadLines(file))
            {
                if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inBlock = !inBlock;
                    continue;
                }

                var line = TrailingComment().Replace(raw.Trim(), string.Empty).TrimStart('$', ' ');
                if (inBlock && line.StartsWith("deploymind ", StringComparison.Ordinal))
                {
                    yield return (Path.GetFileName(file), line);
                }
            }
        }
    }

    // The words of a shell line up to a redirection or a pipe: quotes group, the leading `deploymind` goes.
    private static string[] Words(string line) =>
        [.. ShellWord().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Value)
            .TakeWhile(w => w is not (">" or ">>" or "2>" or "|" or "&&" or ";")).Skip(1)];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeployMind.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (DeployMind.slnx) is not above the test's folder.");
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, CliHostFactory.Isolated(), CancellationToken.None);
        return (code, console.Output);
    }

    [GeneratedRegex(@"\s+#\s.*$")]
    private static partial Regex TrailingComment();

    [GeneratedRegex("""'([^']*)'|"([^"]*)"|\S+""")]
    private static partial Regex ShellWord();
}
