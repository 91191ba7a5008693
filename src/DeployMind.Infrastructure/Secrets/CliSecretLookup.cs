using System.Text.Json;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Secrets;

/// <summary>
/// 1Password (<c>op read REFERENCE</c>), Bitwarden Secrets Manager (<c>bws secret get ID --output json</c>, its
/// <c>value</c>) and Doppler (<c>doppler secrets get NAME --plain</c>) through their CLIs on this machine, signed in as
/// their docs describe (OP_SERVICE_ACCOUNT_TOKEN, BWS_ACCESS_TOKEN, DOPPLER_TOKEN or an interactive login). Commands are
/// data run by the local runner; a value only ever comes back on standard output, which the runner does not log.
/// </summary>
internal sealed class CliSecretLookup : ISecretLookup
{
    private readonly ICommandRunner _runner;
    private readonly Func<string, string?> _find;

    public CliSecretLookup(ICommandRunner runner)
        : this(runner, program => ExecutableLocator.Find(program, Environment.GetEnvironmentVariable("PATH")))
    {
    }

    internal CliSecretLookup(ICommandRunner runner, Func<string, string?> find)
    {
        _runner = runner;
        _find = find;
    }

    public bool Reads(SecretSourceKind kind) => kind is SecretSourceKind.OnePassword or SecretSourceKind.Bitwarden or SecretSourceKind.Doppler;

    public async Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(names);
        var program = ProgramOf(source.Kind);
        if (_find(program) is not { } path)
        {
            return SecretLookupResult.Unavailable($"{program} is not installed (not on PATH)");
        }

        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        string? problem = null;
        foreach (var name in names)
        {
            if (Command(source, name, path) is not { } command)
            {
                continue;
            }

            var result = await _runner.RunAsync(command, null, cancellationToken);
            if (!result.Succeeded)
            {
                // "not found" and "not signed in" look alike from here: say what the CLI said (never a value: it failed).
                problem ??= $"{program} exited with {result.ExitCode}: {CommandFailedException.Tail(result.StandardError, 1)}";
                continue;
            }

            if (Value(source.Kind, result.StandardOutput) is { } value)
            {
                found[name] = value;
            }
        }

        return new SecretLookupResult(found, found.Count == 0 ? problem : null);
    }

    /// <summary>
    /// The command that prints secret <paramref name="name"/> of <paramref name="source"/>, run as <paramref name="program"/>
    /// (default: the CLI's name, found on PATH); null when the source has no entry for it.
    /// </summary>
    internal static CommandSpec? Command(SecretSource source, string name, string? program = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        program ??= ProgramOf(source.Kind);
        CommandSpec? command = source.Kind switch
        {
            SecretSourceKind.OnePassword => CommandSpec.Create(program, "read", "--no-newline", source.NameOf(name)),
            SecretSourceKind.Bitwarden => source.Ids.TryGetValue(name, out var id) ? CommandSpec.Create(program, "secret", "get", id, "--output", "json") : null,
            SecretSourceKind.Doppler => new CommandSpec(program, [
                "secrets", "get", name, "--plain",
                .. source.Project is { } project ? (string[])["--project", project] : [],
                .. source.Config is { } config ? (string[])["--config", config] : []]),
            _ => throw new ArgumentOutOfRangeException(nameof(source), source.Kind, "not a CLI source"),
        };
        return command is null ? null : command with { SecretOutput = true };
    }

    /// <summary>The secret in a CLI's output.</summary>
    internal static string? Value(SecretSourceKind kind, string output)
    {
        if (kind == SecretSourceKind.Bitwarden)
        {
            try
            {
                using var json = JsonDocument.Parse(output);
                return json.RootElement.TryGetProperty("value", out var value) ? value.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        // The runner captures output line by line, each ending in '\n'.
        var text = output.EndsWith('\n') ? output[..^1] : output;
        return text.Length == 0 ? null : text;
    }

    private static string ProgramOf(SecretSourceKind kind) => kind switch
    {
        SecretSourceKind.OnePassword => "op",
        SecretSourceKind.Bitwarden => "bws",
        _ => "doppler",
    };
}
