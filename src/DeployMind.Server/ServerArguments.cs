using DeployMind.Domain;

namespace DeployMind.Server;

/// <summary>The server program's few arguments (the CLI's <c>serve</c> has the same ones, with help).</summary>
internal static class ServerArguments
{
    private static readonly string[] Known = ["--config", "--urls", "--no-workers", "--shutdown-timeout", "--verbose"];

    /// <exception cref="InvalidInputException">An unknown argument or a missing value, with what to write instead.</exception>
    public static ServerStart Parse(IReadOnlyList<string> args)
    {
        var start = new ServerStart { ConfigFile = Environment.GetEnvironmentVariable("DEPLOYMIND_CONFIG") };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new InvalidInputException($"{arg} needs a value.");
            start = arg switch
            {
                "--config" => start with { ConfigFile = Value() },
                "--urls" => start with { Urls = Value() },
                "--no-workers" => start with { NoWorkers = true },
                "--shutdown-timeout" => start with { ShutdownTimeout = Duration.Parse(Value(), "--shutdown-timeout") },
                "--verbose" => start with { MinimumLevel = LogLevel.Debug },
                _ => throw new InvalidInputException(
                    $"unknown argument '{arg}'{Suggest(arg)}; the server takes {string.Join(", ", Known)} (the rest comes from the configuration: docs/server.md)."),
            };
        }

        return start;
    }

    private static string Suggest(string arg) => Suggestions.Closest(arg, Known) is { } closest ? $" (did you mean {closest}?)" : string.Empty;
}
