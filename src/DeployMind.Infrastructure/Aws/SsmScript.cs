using System.Text;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Aws;

/// <summary>
/// The shell scripts <see cref="SsmCommandRunner"/> sends through <c>AWS-RunShellScript</c> (pure functions, tested without AWS).
/// </summary>
/// <remarks>
/// <para>
/// SSM has no standard input and no environment of its own: a <see cref="CommandSpec"/> becomes one POSIX <c>sh</c> script
/// (<see cref="Body"/>) that exports its environment, enters its working directory and runs the command with its input
/// decoded from base64, every token quoted by <see cref="ShellQuote"/> so that hostile names stay data.
/// </para>
/// <para>
/// SSM keeps a command's parameters in its history (ListCommands, the console) for 30 days. A command with secrets — or
/// a script too large for the parameters — therefore never travels there: its body goes to S3 (server-side encrypted,
/// deleted when the command ends) and the parameters carry only <see cref="Bootstrap"/>, which fetches it through a
/// short-lived presigned URL with <c>curl -fsS</c> into a shell variable and evaluates it (no file, nothing on a command line).
/// </para>
/// </remarks>
internal static class SsmScript
{
    /// <summary>The longest script sent inline in the SendCommand parameters; a longer one goes through S3.</summary>
    public const int InlineLimit = 32_000;

    /// <summary>The exit code of a bootstrap that could not fetch its script.</summary>
    public const int FetchFailedExitCode = 125;

    /// <summary>The script that runs <paramref name="command"/>: environment, working directory, input, then the command itself.</summary>
    public static string Body(CommandSpec command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var script = new StringBuilder();
        foreach (var (name, value) in command.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!ShellQuote.IsValidVariableName(name))
            {
                throw new ArgumentException($"Environment variable name '{name}' is not valid for a POSIX shell.");
            }

            script.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        if (command.WorkingDirectory is not null)
        {
            script.Append("cd ").Append(ShellQuote.Quote(command.WorkingDirectory)).Append(" || exit 1\n");
        }

        var line = (command with { Environment = command.Environment.Clear() }).ToShellCommand();
        if (string.IsNullOrEmpty(command.StandardInput))
        {
            script.Append(line).Append(" </dev/null\n");
        }
        else
        {
            // printf is a shell builtin: the input is never on a command line the instance's `ps` could show.
            var input = Convert.ToBase64String(Encoding.UTF8.GetBytes(command.StandardInput));
            script.Append("printf '%s' ").Append(ShellQuote.Quote(input)).Append(" | base64 -d | ").Append(line).Append('\n');
        }

        return script.ToString();
    }

    /// <summary>
    /// The script that fetches the body from <paramref name="url"/> (a presigned S3 GET) and runs it; exit code
    /// <see cref="FetchFailedExitCode"/> with a message on standard error when the fetch fails.
    /// </summary>
    public static string Bootstrap(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return "__dm_script=$(curl -fsS --retry 3 --max-time 120 " + ShellQuote.Quote(url.AbsoluteUri) + ") || { __dm_rc=$?; "
            + "echo \"deploymind: could not fetch this command's script from S3 (curl exit $__dm_rc): the instance needs curl and HTTPS access to S3, and the presigned URL may have expired while the command waited\" >&2; exit "
            + FetchFailedExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + "; }\n"
            + "eval \"$__dm_script\"\n";
    }

    /// <summary>The S3 key SSM writes a stream's full output to for an <c>AWS-RunShellScript</c> invocation.</summary>
    public static string OutputKey(string keyPrefix, string commandId, string instanceId, string stream) =>
        $"{keyPrefix}{commandId}/{instanceId}/awsrunShellScript/0.awsrunShellScript/{stream}";

    /// <summary>Splits captured output into lines as a local process's would be read: a final newline ends a line, it does not start one.</summary>
    public static IReadOnlyList<string> Lines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}
