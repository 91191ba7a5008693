using System.Text;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Nginx;

/// <summary>
/// A hand-written fake host for the nginx router: an in-memory file system behind the file commands it runs
/// (cat, tee, mv, cp, rm, mkdir, tail), a process table for kill -0, and an nginx whose <c>-t</c> verdict is scripted.
/// Every command is recorded.
/// </summary>
internal sealed class FakeHost : ICommandRunner
{
    private readonly HashSet<int> _processes = [];

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public List<CommandSpec> Calls { get; } = [];

    public string Home { get; init; } = "/home/deploy";

    /// <summary>nginx -t's error output; null for a passing test.</summary>
    public string? TestError { get; set; }

    /// <summary>The site files present when nginx -t ran (to check what was tested).</summary>
    public List<string[]> TestedSites { get; } = [];

    public string Name => "fake";

    public IEnumerable<CommandSpec> CallsTo(string program, string? argument = null) =>
        Calls.Where(c => c.Program == program && (argument is null || c.Arguments.Contains(argument)));

    public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        Calls.Add(command);
        var args = command.Arguments;
        var result = command.Program switch
        {
            "cat" => Files.TryGetValue(args[0], out var text) ? Ok(text) : Missing(args[0]),
            "tail" => Files.TryGetValue(args[2], out var log) ? Ok(Tail(log, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture))) : Missing(args[2]),
            "tee" => Write(args[0], command.StandardInput ?? string.Empty),
            "mv" => Move(args[1], args[2]),
            "cp" => Files.TryGetValue(args[1], out var copied) ? Write(args[2], copied) : Missing(args[1]),
            "rm" => Remove(args[1]),
            "mkdir" => Ok(string.Empty),
            "kill" => _processes.Contains(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)) ? Ok(string.Empty) : Fail("kill: (1) - No such process"),
            "printenv" => Ok(Home + "\n"),
            "nginx" => Nginx(args),
            "systemctl" => Ok(string.Empty),
            _ => Fail($"{command.Program}: not found"),
        };
        return Task.FromResult(result with { Command = command.ToString() });
    }

    private CommandResult Nginx(IReadOnlyList<string> args)
    {
        if (args.Contains("-t"))
        {
            TestedSites.Add([.. Files.Keys.Where(k => k.EndsWith(".conf", StringComparison.Ordinal) && !k.EndsWith("nginx.conf", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);
            return TestError is null
                ? Ok(string.Empty, "nginx: the configuration file syntax is ok\nnginx: configuration file test is successful\n")
                : Fail(TestError);
        }

        if (!args.Contains("-s"))
        {
            // Start: the master writes its pid file.
            var prefix = args[args.ToList().IndexOf("-p") + 1];
            _processes.Add(4242);
            Files[prefix + "logs/nginx.pid"] = "4242\n";
        }
        else if (args.Contains("quit") || args.Contains("stop"))
        {
            _processes.Clear();
        }

        return Ok(string.Empty);
    }

    private CommandResult Write(string path, string content)
    {
        Files[path] = content;
        return Ok(content);
    }

    private CommandResult Move(string source, string destination)
    {
        if (!Files.Remove(source, out var content))
        {
            return Missing(source);
        }

        Files[destination] = content;
        return Ok(string.Empty);
    }

    private CommandResult Remove(string path)
    {
        Files.Remove(path);
        return Ok(string.Empty);
    }

    private static string Tail(string text, int bytes)
    {
        var data = Encoding.UTF8.GetBytes(text);
        return data.Length <= bytes ? text : Encoding.UTF8.GetString(data, data.Length - bytes, bytes);
    }

    private static CommandResult Ok(string stdout, string stderr = "") => new(string.Empty, 0, stdout, stderr, TimeSpan.Zero);

    private static CommandResult Fail(string stderr) => new(string.Empty, 1, string.Empty, stderr, TimeSpan.Zero);

    private static CommandResult Missing(string path) => Fail($"{path}: No such file or directory\n");
}
