using System.Reflection;
using DeployMind.Application.Configuration;
using DeployMind.Cli.Hosting;
using DeployMind.Domain;
using DeployMind.Domain.Build;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli;

/// <summary>The <c>deploymind</c> command line: commands, help, and failures turned into one clear line + an exit code.</summary>
public static class DeployMindCli
{
    /// <summary>Runs the CLI. Tests pass a recording console and their own host factory.</summary>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CliHostFactory hosts, CancellationToken cancellationToken) =>
        RunAsync(args, console, hosts, null, cancellationToken);

    /// <summary>
    /// Parses <paramref name="args"/> as a run would — the checks of <see cref="CliInput"/>, then Spectre's parser and
    /// binder — without running the command: 0 when they would run, else 2 with the error on <paramref name="console"/>.
    /// </summary>
    internal static async Task<int> ParseOnlyAsync(string[] args, IAnsiConsole console)
    {
        ParsingOnly.Value = true;
        try
        {
            var code = await RunAsync(args, console, CliHostFactory.Isolated(), new StopBeforeRunning(), CancellationToken.None);
            return code == StopBeforeRunning.Parsed ? ExitCodes.Success : code;
        }
        finally
        {
            ParsingOnly.Value = false;
        }
    }

    /// <summary>True while <see cref="ParseOnlyAsync"/> runs: settings check what was typed, not the machine (an example's folder need not exist here).</summary>
    internal static AsyncLocal<bool> ParsingOnly { get; } = new();

    /// <summary>Whether a folder named on the command line exists (always, when only parsing).</summary>
    internal static bool FolderExists(string? path) => ParsingOnly.Value || Directory.Exists(path);

    private static async Task<int> RunAsync(string[] args, IAnsiConsole console, CliHostFactory hosts, ICommandInterceptor? interceptor, CancellationToken cancellationToken)
    {
        args = CliInput.Normalize(args);
        if (CliInput.Problem(args) is { } problem)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(problem)}");
            return ExitCodes.InvalidInput;
        }

        var services = new ServiceCollection();
        services.AddSingleton(console);
        services.AddSingleton(hosts);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("deploymind");
            config.SetApplicationVersion(Version);
            config.UseStrictParsing();
            if (interceptor is not null)
            {
                config.SetInterceptor(interceptor);
            }

            config.ConfigureConsole(console);
            config.Settings.Registrar.RegisterInstance(console);
            CliCatalog.Register(config);
            config.SetExceptionHandler((ex, _) => ex is StopBeforeRunning.ParsedException ? StopBeforeRunning.Parsed : HandleException(console, ex, hosts.Locator));
        });
        return await app.RunAsync(args, cancellationToken);
    }

    /// <summary>The width output that is not a terminal is laid out for: wide enough that no line is wrapped.</summary>
    public const int UnwrappedWidth = 4096;

    /// <summary>The version <c>deploymind --version</c> prints: the assembly's informational version (with the commit it was built from, when known).</summary>
    public static string Version { get; } =
        typeof(DeployMindCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DeployMindCli).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Stops a run once its command line is parsed and bound (<see cref="ParseOnlyAsync"/>).</summary>
    private sealed class StopBeforeRunning : ICommandInterceptor
    {
        public const int Parsed = -100;

        public void Intercept(CommandContext context, CommandSettings settings) => throw new ParsedException();

        public sealed class ParsedException : Exception
        {
        }
    }

    /// <summary>"Failed to load configuration from file 'x': line 3, column 11: found invalid mapping".</summary>
    internal static string DescribeConfigurationError(InvalidDataException exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is YamlDotNet.Core.YamlException yaml)
            {
                var reason = yaml.InnerException?.Message ?? yaml.Message;
                var at = reason.IndexOf("): ", StringComparison.Ordinal);
                reason = reason.StartsWith("(Line", StringComparison.Ordinal) && at > 0 ? reason[(at + 3)..] : reason;
                return $"{exception.Message.TrimEnd('.')}: line {yaml.Start.Line}, column {yaml.Start.Column}: {reason.TrimEnd('.')}. Fix the YAML at that line (indentation, an unclosed bracket or quote).";
            }
        }

        return exception.InnerException is null ? exception.Message : $"{exception.Message.TrimEnd('.')}: {exception.InnerException.Message}";
    }

    /// <summary>
    /// Maps a failure to one line on the console (one per setting when several settings are wrong) and an exit code (see
    /// <see cref="ExitCodes"/>). An error that names a configuration key is told where the key is written.
    /// </summary>
    internal static int HandleException(IAnsiConsole console, Exception exception, IConfigurationLocator? locator = null)
    {
        string Located(string message) => locator is null ? message : locator.Describe(message);
        string Setting(string text) => Located(text) is var located && located != text ? located : "Invalid configuration: " + text;
        (int Code, IReadOnlyList<string> Messages) failure = exception switch
        {
            OperationCanceledException => (ExitCodes.Cancelled, ["Cancelled."]),
            LanguageNotDetectedException e => (ExitCodes.DetectionFailed, [e.Message]),
            InvalidConfigurationException e => (ExitCodes.InvalidInput, [.. e.Problems.Select(p => p.ToString())]),
            InvalidInputException e => (ExitCodes.InvalidInput, [Located(e.Message)]),
            CommandAppException e => (ExitCodes.InvalidInput, [e.Message]),
            OptionsValidationException e => (ExitCodes.InvalidInput, [.. e.Failures.Select(Setting)]),
            FileNotFoundException e => (ExitCodes.InvalidInput, [e.Message]),
            DirectoryNotFoundException e => (ExitCodes.InvalidInput, [e.Message]),
            InvalidDataException e => (ExitCodes.InvalidInput, [DescribeConfigurationError(e)]),
            FormatException e => (ExitCodes.InvalidInput, ["Invalid configuration file: " + e.Message]),
            DeployMindException e => (ExitCodes.Error, [e.Message]),
            _ => (ExitCodes.Error, [$"Unexpected error: {exception.Message} ({exception.GetType().Name}). Run again with --verbose for details."]),
        };
        foreach (var message in failure.Messages)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        }

        return failure.Code;
    }
}
