using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// Reads the port an app listens on where the app writes it, instead of assuming its framework's default.
/// </summary>
/// <remarks>
/// <para>In order of trust:</para>
/// <list type="number">
/// <item>The app's own Dockerfile: the last <c>EXPOSE</c>, else <c>ASPNETCORE_URLS</c> / <c>ASPNETCORE_HTTP_PORTS</c> / <c>PORT</c> in an <c>ENV</c>.</item>
/// <item>A literal in the start command: the Procfile's <c>web:</c> line, else package.json's start script
/// (<c>--bind 0.0.0.0:8000</c>, <c>-p 4000</c>, <c>runserver 0.0.0.0:8000</c>...).</item>
/// <item>The code and its server settings (see <c>SourceFilesAsync</c> for which files): the listen call with a literal,
/// or with a variable whose assignment holds one, then a <c>PORT</c> default anywhere
/// (<c>process.env.PORT || 5000</c>, <c>os.environ.get("PORT", 8000)</c>, <c>port = "9090"</c> after <c>os.Getenv("PORT")</c>...).
/// The listen call of the entry file wins, then any listen call, then the entry file, then the rest.</item>
/// </list>
/// <para>With no literal anywhere, the port is the framework's default: <see cref="PortSource.Environment"/> when the app
/// takes its port from <c>PORT</c> (its code reads it, or the start command passes <c>$PORT</c>), since DeployMind sets it;
/// otherwise <see cref="PortSource.Default"/>, a guess. <c>.env</c> files are never read (they hold secrets).</para>
/// <para>Only a bounded set of files is read (at most <see cref="MaxSourceFiles"/>, each under <see cref="MaxSourceBytes"/>),
/// never inside dependency or build folders.</para>
/// </remarks>
internal static partial class PortFinder
{
    private const int MaxSourceFiles = 12;
    private const long MaxSourceBytes = 256 * 1024;
    private const int MaxSnippet = 80;
    private const int MaxOthersNamed = 3;
    private const string Dockerfile = "Dockerfile";

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string> FrameworkNames = new(StringComparer.Ordinal)
    {
        ["express"] = "Express", ["next"] = "Next.js", ["nest"] = "NestJS", ["fastify"] = "Fastify", ["hapi"] = "hapi",
        ["flask"] = "Flask", ["django"] = "Django", ["fastapi"] = "FastAPI", ["tornado"] = "Tornado",
        ["gin"] = "Gin", ["echo"] = "Echo", ["fiber"] = "Fiber", ["chi"] = "chi",
        ["spring-boot"] = "Spring Boot", ["rails"] = "Rails", ["sinatra"] = "Sinatra",
        ["axum"] = "Axum", ["actix"] = "Actix Web", ["laravel"] = "Laravel", ["aspnetcore"] = "ASP.NET Core",
    };

    /// <summary>Decides the port of the chosen candidate.</summary>
    /// <param name="folder">The application folder.</param>
    /// <param name="chosen">The candidate the detector chose; its <see cref="DetectionCandidate.Port"/> is the framework's default.</param>
    /// <param name="startCommand">The command that starts the app (the Procfile's when there is one).</param>
    /// <param name="procfileLine">The Procfile line the start command came from, or null when it is the detected one.</param>
    /// <param name="hasDockerfile">The app has its own Dockerfile (its <c>EXPOSE</c> decides; DeployMind's start command is not used).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<PortDecision> FindAsync(
        AppFolder folder,
        DetectionCandidate chosen,
        string startCommand,
        int? procfileLine,
        bool hasDockerfile,
        CancellationToken cancellationToken)
    {
        var dockerfile = hasDockerfile
            ? DockerfileClues(await ReadSourceAsync(folder, Dockerfile, cancellationToken).ConfigureAwait(false))
            : [];
        var start = StartCommandClue(chosen, startCommand, procfileLine);

        var files = await SourceFilesAsync(folder, chosen, cancellationToken).ConfigureAwait(false);
        var code = new List<PortClue>();
        PortClue? readsPort = null;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = await ReadSourceAsync(folder, file, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                continue;
            }

            try
            {
                Add(code, ScanCode(file, text, chosen.Language));
                readsPort ??= FindPortRead(file, text);
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological file is skipped rather than stalling detection.
            }
        }

        var primary = files.Count > 0 ? files[0] : null;
        var (decided, source) = dockerfile.Count > 0 ? (dockerfile[0], PortSource.Dockerfile)
            : start is not null ? (start, PortSource.StartCommand)
            : ChooseInCode(code, primary) is { } inCode ? (inCode, PortSource.Code)
            : ((PortClue?)null, PortSource.Default);

        if (decided is not null)
        {
            var evidence = new List<string> { decided.ToString() };
            evidence.AddRange(dockerfile.Concat(code)
                .Where(clue => clue.Port != decided.Port)
                .DistinctBy(clue => clue.Port)
                .Take(MaxOthersNamed)
                .Select(clue => $"port {clue.Port} also in {clue.Location} ({clue.Snippet})"));
            return new PortDecision(decided.Port, source, decided.Location, evidence);
        }

        var port = chosen.Port;
        var name = (FrameworkNames.GetValueOrDefault(chosen.Framework ?? string.Empty) ?? chosen.Language.DisplayName()) + "'s";
        if (readsPort is not null)
        {
            return new PortDecision(
                port,
                PortSource.Environment,
                readsPort.Location,
                [$"port {port} is {name} default, given to the app in PORT: {readsPort.Location} reads it ({readsPort.Snippet})"]);
        }

        if (chosen.Framework == "next" && procfileLine is null)
        {
            return new PortDecision(port, PortSource.Environment, null, [$"port {port} is {name} default, given to the app in PORT (next start reads it)"]);
        }

        if (!hasDockerfile && PassesPort().IsMatch(startCommand))
        {
            return new PortDecision(port, PortSource.Environment, null, [$"port {port} is {name} default, given to the app in $PORT by the start command"]);
        }

        if (!hasDockerfile && procfileLine is null && chosen.Language is Language.DotNet or Language.Java)
        {
            var flag = chosen.Language == Language.DotNet ? "--urls" : "-Dserver.port";
            return new PortDecision(port, PortSource.Environment, null, [$"port {port} is {name} default, given to the app in $PORT by the generated Dockerfile ({flag})"]);
        }

        return new PortDecision(port, PortSource.Default, null, [$"port {port} is {name} default (not found in the code)"]);
    }

    /// <summary>The listen call of the entry file, else any listen call, else a literal in the entry file, else the first literal.</summary>
    private static PortClue? ChooseInCode(List<PortClue> code, string? primary)
    {
        bool InPrimary(PortClue clue) => primary is not null && clue.Location.StartsWith(primary + ":", StringComparison.Ordinal);
        return code.FirstOrDefault(clue => clue.Listen && InPrimary(clue))
            ?? code.FirstOrDefault(clue => clue.Listen)
            ?? code.FirstOrDefault(InPrimary)
            ?? code.FirstOrDefault();
    }

    /// <summary>Adds clues in line order, merging one found twice at the same place (a listen call's variable and its <c>PORT</c> default).</summary>
    private static void Add(List<PortClue> clues, IEnumerable<(int Line, PortClue Clue)> found)
    {
        foreach (var (_, clue) in found.OrderBy(item => item.Line))
        {
            var same = clues.FindIndex(existing => existing.Location == clue.Location && existing.Port == clue.Port);
            if (same < 0)
            {
                clues.Add(clue);
            }
            else if (clue.Listen && !clues[same].Listen)
            {
                clues[same] = clues[same] with { Listen = true };
            }
        }
    }

    private static List<PortClue> DockerfileClues(string? text)
    {
        if (text is null)
        {
            return [];
        }

        var lines = text.Split('\n');
        var clues = new List<PortClue>();

        // The last EXPOSE is the runtime stage's in a multi-stage file; then the variables ASP.NET Core and most apps read.
        foreach (var regex in new[] { DockerExpose(), DockerAspNetCoreUrls(), DockerAspNetCoreHttpPorts(), DockerPortEnv() })
        {
            foreach (var match in regex.Matches(text).Reverse())
            {
                var value = match.Groups["port"].Success ? match.Groups["port"].Value : match.Groups["arg"].Value;
                if (Evaluate(value, text) is { } found)
                {
                    var line = LineOf(text, match.Index);
                    clues.Add(Clue(Dockerfile, lines, line, found.Port, listen: true));
                }
            }
        }

        return clues;
    }

    private static PortClue? StartCommandClue(DetectionCandidate chosen, string startCommand, int? procfileLine)
    {
        var (command, location, snippet) = procfileLine is { } line
            ? (startCommand, $"Procfile:{line}", $"web: {startCommand}")
            : chosen.Facts.GetValueOrDefault(DetectionFacts.StartScript) is { } script
                ? (script, "package.json: scripts.start", script)
                : (null, null, null);
        if (command is null || location is null || snippet is null)
        {
            return null;
        }

        var match = StartCommandPort().Match(command);
        return match.Success && TryPort(match.Groups["port"].Value, out var port)
            ? new PortClue(port, location, Shorten(snippet), Listen: true)
            : null;
    }

    private static IEnumerable<(int Line, PortClue Clue)> ScanCode(string file, string text, Language language)
    {
        var lines = text.Split('\n');
        foreach (var (regex, listen) in PatternsFor(language))
        {
            foreach (Match match in regex.Matches(text))
            {
                var port = match.Groups["port"];
                var arg = match.Groups["arg"];
                var at = port.Success ? port : arg.Success ? arg : match;
                var line = LineOf(text, at.Index);
                if (IsComment(lines[line - 1]))
                {
                    continue;
                }

                (int Port, int? Line)? found = port.Success
                    ? (TryPort(port.Value, out var literal) ? (literal, null) : null)
                    : Evaluate(arg.Value, text);
                if (found is { } value)
                {
                    var foundLine = value.Line ?? line;
                    yield return (foundLine, Clue(file, lines, foundLine, value.Port, listen));
                }
            }
        }

        // A PORT default anywhere (a config module, a constant the listen call reaches through an object...).
        foreach (Match match in EnvDefault().Matches(text))
        {
            var line = LineOf(text, match.Index);
            if (!IsComment(lines[line - 1]) && TryPort(match.Groups["port"].Value, out var port))
            {
                yield return (line, Clue(file, lines, line, port, listen: false));
            }
        }
    }

    /// <summary>
    /// The port an argument or setting value stands for: a <c>PORT</c> default, a literal (<c>5000</c>, <c>":9090"</c>,
    /// <c>"0.0.0.0:8080"</c>), a URL list (the http one), or a variable whose assignment in the same file holds one of those
    /// (then with that assignment's line).
    /// </summary>
    private static (int Port, int? Line)? Evaluate(string argument, string text)
    {
        var value = argument.Trim().TrimEnd(';', ',', '\r').Trim();
        if (Literal(value) is { } port)
        {
            return (port, null);
        }

        var identifier = GoConcatenation().Replace(value, string.Empty);
        if (!Identifier().IsMatch(identifier))
        {
            return null;
        }

        var assignment = new Regex(
            $@"^[ \t]*(?:(?:export\s+)?(?:const|let|var)\s+)?{Regex.Escape(identifier)}(?:\s*:\s*\w+)?\s*:?=(?!=)\s*(?<value>[^\n;]+)",
            RegexOptions.Multiline | RegexOptions.CultureInvariant,
            MatchTimeout);
        foreach (Match match in assignment.Matches(text))
        {
            if (Literal(match.Groups["value"].Value.Trim().TrimEnd('\r', ',').Trim()) is { } assigned)
            {
                return (assigned, LineOf(text, match.Index));
            }
        }

        return null;
    }

    /// <summary>The port a value holds without following variables, or null.</summary>
    private static int? Literal(string value)
    {
        if (EnvDefault().Match(value) is { Success: true } env && TryPort(env.Groups["port"].Value, out var fromEnv))
        {
            return fromEnv;
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            var urls = value.Trim('"', '\'').Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var url = urls.FirstOrDefault(candidate => candidate.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? urls.FirstOrDefault();
            return url is not null && UrlPort().Match(url) is { Success: true } match && TryPort(match.Groups["port"].Value, out var fromUrl)
                ? fromUrl
                : null;
        }

        return BareLiteral().Match(value) is { Success: true } bare && TryPort(bare.Groups["port"].Value, out var literal) ? literal : null;
    }

    /// <summary>The first line that reads PORT from the environment, as a clue without a port (only its place matters).</summary>
    private static PortClue? FindPortRead(string file, string text)
    {
        var lines = text.Split('\n');
        foreach (Match match in PortRead().Matches(text))
        {
            var line = LineOf(text, match.Index);
            if (!IsComment(lines[line - 1]))
            {
                return Clue(file, lines, line, 0, listen: false);
            }
        }

        return null;
    }

    private static PortClue Clue(string file, string[] lines, int line, int port, bool listen) =>
        new(port, $"{file}:{line}", Shorten(lines[line - 1].Trim()), listen);

    private static string Shorten(string text) => text.Length <= MaxSnippet ? text : text[..(MaxSnippet - 1)] + "…";

    private static bool TryPort(string digits, out int port) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    private static int LineOf(string text, int index)
    {
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static bool IsComment(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("//", StringComparison.Ordinal)
            || trimmed.StartsWith('#')
            || trimmed.StartsWith('*')
            || trimmed.StartsWith("/*", StringComparison.Ordinal)
            || trimmed.StartsWith('!');
    }

    private static async Task<string?> ReadSourceAsync(AppFolder folder, string file, CancellationToken cancellationToken) =>
        folder.FileSize(file) is { } size && size <= MaxSourceBytes
            ? await folder.ReadTextAsync(file, cancellationToken).ConfigureAwait(false)
            : null;
}
