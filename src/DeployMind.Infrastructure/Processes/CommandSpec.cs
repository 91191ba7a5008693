using System.Collections.Immutable;
using System.Text;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// An external command as data: program, argument list, environment and the secrets to keep out of logs.
/// Builders produce these; an <see cref="ICommandRunner"/> executes them, here or on a remote host.
/// </summary>
public sealed record CommandSpec
{
    public CommandSpec(string program, IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        ArgumentNullException.ThrowIfNull(arguments);
        Program = program;
        Arguments = Array.AsReadOnly(arguments.ToArray());
    }

    /// <summary>The program to start (looked up on PATH when not a path).</summary>
    public string Program { get; }

    /// <summary>Arguments, one element each: never split or interpreted by a shell.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Environment variables to set for the process.</summary>
    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Working directory; null for the runner's default.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Text to write to the process's standard input, then close it; null for none.</summary>
    public string? StandardInput { get; init; }

    /// <summary>The command prints a secret (a secret manager's CLI): runners never log its output lines.</summary>
    public bool SecretOutput { get; init; }

    /// <summary>Values that must never appear in logs or captured output (tokens, passwords).</summary>
    public ImmutableArray<string> Secrets { get; init; } = [];

    /// <summary>Creates a spec from a program and its arguments.</summary>
    public static CommandSpec Create(string program, params string[] arguments) => new(program, arguments);

    /// <summary>A copy with more environment variables.</summary>
    public CommandSpec WithEnvironment(string name, string value) => this with { Environment = Environment.SetItem(name, value) };

    /// <summary>A copy that also redacts <paramref name="secret"/>.</summary>
    public CommandSpec WithSecret(string? secret) =>
        string.IsNullOrEmpty(secret) ? this : this with { Secrets = Secrets.Add(secret) };

    /// <summary>The command as one POSIX shell line, every token quoted as data (for remote shells).</summary>
    public string ToShellCommand()
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!ShellQuote.IsValidVariableName(name))
            {
                throw new ArgumentException($"Environment variable name '{name}' is not valid for a POSIX shell.");
            }

            builder.Append(name).Append('=').Append(ShellQuote.Quote(value)).Append(' ');
        }

        builder.Append(ShellQuote.Quote(Program));
        foreach (var argument in Arguments)
        {
            builder.Append(' ').Append(ShellQuote.Quote(argument));
        }

        return builder.ToString();
    }

    /// <summary>The command line for humans and logs: quoted like a shell line, secrets replaced by ***.</summary>
    public override string ToString() => new SecretRedactor(Secrets).Redact(ToDisplayString());

    private string ToDisplayString()
    {
        var builder = new StringBuilder(ShellQuote.QuoteIfNeeded(Program));
        foreach (var argument in Arguments)
        {
            builder.Append(' ').Append(ShellQuote.QuoteIfNeeded(argument));
        }

        return builder.ToString();
    }
}
