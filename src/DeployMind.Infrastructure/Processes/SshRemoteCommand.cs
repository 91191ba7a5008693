using System.Globalization;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// The shell lines <see cref="SshCommandRunner"/> sends (pure functions, tested without SSH).
/// </summary>
/// <remarks>
/// <para>
/// sshd hands an exec request to the user's login shell as one string, so a <see cref="CommandSpec"/> becomes one
/// line here, every token quoted by <see cref="ShellQuote"/> (through <see cref="CommandSpec.ToShellCommand"/>).
/// </para>
/// <para>
/// Killing: without a PTY, sshd neither signals the remote process when the channel closes nor (reliably) forwards
/// a "signal" request to anything but the shell it started, so a cancelled <c>docker build</c> would keep running.
/// sshd starts every session's shell with <c>setsid()</c>, so that shell is the leader of a new process group
/// (its PID is the group's ID) and everything the command starts stays in the group (unless it starts a session or
/// group of its own, as daemons do; those outlive a cancellation, as they would locally). The line therefore
/// <c>exec</c>s a POSIX <c>sh</c> (same PID, whatever the login shell), which first prints
/// <c>deploymind-pgid:&lt;nonce&gt; &lt;$$&gt;</c> on stderr (the runner consumes that line; the random nonce keeps
/// command output from faking it), then runs the command. To stop it, the runner sends
/// <see cref="KillProcessGroup"/> over a new channel: SIGTERM to the whole group, up to 3 s to exit, then SIGKILL.
/// </para>
/// </remarks>
internal static class SshRemoteCommand
{
    private const string MarkerPrefix = "deploymind-pgid:";
    private const string EnvironmentEnd = "deploymind-env-end:";

    // $1 = the process group ID. `kill -0 -- -PGID` tells whether any member is left. Fractional sleep is
    // GNU/busybox; plain POSIX sleep falls back to whole seconds.
    private const string KillScript =
        "kill -s TERM -- \"-$1\" 2>/dev/null || exit 0\n"
        + "i=0\n"
        + "while [ \"$i\" -lt 30 ] && kill -0 -- \"-$1\" 2>/dev/null; do sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done\n"
        + "kill -s KILL -- \"-$1\" 2>/dev/null\n"
        + "exit 0";

    /// <summary>
    /// The line to execute for <paramref name="command"/>; <paramref name="nonce"/> tags the process-group line. With
    /// <paramref name="streamedInput"/> the command reads the channel's input (bytes streamed after its environment lines).
    /// </summary>
    public static string Render(CommandSpec command, string nonce, bool streamedInput = false)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(nonce);

        var script = CommandSpec.Create("printf", "%s %s\\n", MarkerPrefix + nonce).ToShellCommand() + " \"$$\" >&2; ";
        if (command.WorkingDirectory is not null && command.Environment.Count == 0)
        {
            script += "cd " + ShellQuote.Quote(command.WorkingDirectory) + " && ";
        }

        var noInput = string.IsNullOrEmpty(command.StandardInput) && !streamedInput ? " </dev/null" : string.Empty;
        if (command.Environment.Count > 0)
        {
            // The variables' values never go on the line (`ps` on the host shows it): they come first on standard input,
            // as `export NAME='value'` lines up to an end line tagged with the nonce, read by the shell's `read` (which
            // takes no byte past its line, so the command's own input follows untouched) and evaluated.
            script += "__dm_env=; while IFS= read -r __dm_line; do [ \"$__dm_line\" = " + ShellQuote.Quote(EnvironmentEnd + nonce)
                + " ] && break; __dm_env=\"$__dm_env$__dm_line\n\"; done; eval \"$__dm_env\"; unset __dm_env __dm_line; ";
            script += (command.WorkingDirectory is not null ? "cd " + ShellQuote.Quote(command.WorkingDirectory) + " && " : string.Empty)
                + (command with { Environment = command.Environment.Clear() }).ToShellCommand() + noInput;
            return "exec " + CommandSpec.Create("sh", "-c", script).ToShellCommand();
        }

        script += command.ToShellCommand();

        // No input: read /dev/null, as a local process with no input pipe does. (SSH.NET sends no EOF on a
        // channel that never carried data, so `cat` would otherwise wait forever.)
        return "exec " + CommandSpec.Create("sh", "-c", script).ToShellCommand() + noInput;
    }

    /// <summary>
    /// What <see cref="SshCommandRunner"/> writes to the standard input of the line <see cref="Render"/> made: the command's
    /// environment (see there) then its own input; null when there is none.
    /// </summary>
    public static string? StandardInput(CommandSpec command, string nonce)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Environment.Count == 0)
        {
            return command.StandardInput;
        }

        var input = new System.Text.StringBuilder();
        foreach (var (name, value) in command.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!ShellQuote.IsValidVariableName(name))
            {
                throw new ArgumentException($"Environment variable name '{name}' is not valid for a POSIX shell.");
            }

            input.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        return input.Append(EnvironmentEnd).Append(nonce).Append('\n').Append(command.StandardInput).ToString();
    }

    /// <summary>
    /// The OpenSSH client command that runs <paramref name="command"/> on <paramref name="target"/> attached to the user's
    /// terminal (see <see cref="SshCommandRunner.RunInteractiveAsync"/>): the target's key, port and known_hosts, strict host
    /// key checking unless the target opts out (then nothing is written to a known_hosts file), a terminal on the host with
    /// <paramref name="tty"/> (<c>-t</c>), none without (<c>-T</c>). The command is one quoted line, as for the runner; its
    /// environment would be on that line, so a command with one is refused.
    /// </summary>
    public static CommandSpec InteractiveClient(SshTarget target, CommandSpec command, bool tty)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Environment.Count > 0)
        {
            throw new ArgumentException("An interactive command's environment would be on the ssh command line; give it none.", nameof(command));
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(target.ConnectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            tty ? "-t" : "-T",
            "-i", target.PrivateKeyPath,
            "-p", target.Port.ToString(CultureInfo.InvariantCulture),
            "-o", "IdentitiesOnly=yes",
            "-o", "ConnectTimeout=" + seconds,
            "-o", "LogLevel=ERROR",
        };
        args.AddRange(target.StrictHostKeyChecking
            ? ["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + target.KnownHostsPath]
            : ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]);
        args.Add("-l");
        args.Add(target.User);
        args.Add(target.Host);
        args.Add("--");
        args.Add("exec " + command.ToShellCommand());
        return new CommandSpec("ssh", args);
    }

    /// <summary>The line that stops process group <paramref name="processGroup"/>: TERM, a grace period, then KILL.</summary>
    public static string KillProcessGroup(int processGroup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(processGroup, 1);
        return CommandSpec.Create("sh", "-c", KillScript, "sh", processGroup.ToString(CultureInfo.InvariantCulture)).ToShellCommand();
    }

    /// <summary>Whether a stderr line is the process-group line for <paramref name="nonce"/>, and the group's ID.</summary>
    public static bool TryReadProcessGroup(string line, string nonce, out int processGroup)
    {
        ArgumentNullException.ThrowIfNull(line);
        processGroup = 0;
        var prefix = MarkerPrefix + nonce + " ";
        return line.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(line.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out processGroup)
            && processGroup > 1;
    }

    /// <summary>The exit code for a command the server reports as ended by <paramref name="signal"/>: 128 + its number, as shells do.</summary>
    public static int ExitCodeForSignal(string? signal) => signal switch
    {
        "HUP" => 129,
        "INT" => 130,
        "QUIT" => 131,
        "ILL" => 132,
        "ABRT" => 134,
        "FPE" => 136,
        "KILL" => 137,
        "USR1" => 138,
        "SEGV" => 139,
        "USR2" => 140,
        "PIPE" => 141,
        "ALRM" => 142,
        "TERM" => 143,
        _ => 255,
    };
}
