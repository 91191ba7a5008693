using Renci.SshNet;

namespace DeployMind.Infrastructure.Processes;

/// <summary>Stopping a remote command for real: see <see cref="SshRemoteCommand"/> for why and how.</summary>
internal sealed partial class SshCommandRunner
{
    /// <summary>How long each step of stopping may take: learning the process group, the kill, the channel closing.</summary>
    private static readonly TimeSpan StopStepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Kills the remote process group of a cancelled or timed-out command over a second channel (TERM, then KILL
    /// after a grace period), then waits for the command's channel to close. Never throws: the caller reports the
    /// cancellation; a process that could not be killed is logged as a warning.
    /// </summary>
    private async Task StopRemoteAsync(SshCommand ssh, string display, Task<int> processGroup, Task completion)
    {
        // The group line is the first thing the remote shell prints; a cancellation right after the start waits for it.
        await Task.WhenAny(processGroup, completion, Task.Delay(StopStepTimeout, _time));
        if (completion.IsCompleted)
        {
            return;
        }

        if (processGroup.IsCompletedSuccessfully)
        {
            var group = processGroup.Result;
            try
            {
                var connection = await GetConnectionAsync(CancellationToken.None);
                using var kill = connection.Client.CreateCommand(SshRemoteCommand.KillProcessGroup(group), Utf8);
                var killed = await Task.Factory.StartNew(
                    () => kill.ExecuteAsync(CancellationToken.None),
                    CancellationToken.None,
                    TaskCreationOptions.DenyChildAttach,
                    TaskScheduler.Default);
                await killed.WaitAsync(StopStepTimeout, _time);
                LogKilled(display, Name, group);
            }
            catch (Exception ex) when (ex is SshConnectionException or Renci.SshNet.Common.SshException or TimeoutException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                LogKillFailed(display, Name, group, ex.Message);
            }
        }
        else
        {
            LogProcessGroupUnknown(display, Name);
        }

        // Killed, the group's processes close their output and sshd closes the channel: the pumps read to the end.
        await Task.WhenAny(completion, Task.Delay(StopStepTimeout, _time));
        if (!completion.IsCompleted)
        {
            // Last resort: a "signal" request reaches the process sshd started (not its children).
            LogChannelStillOpen(display, Name);
            try
            {
                ssh.CancelAsync(forceKill: true, millisecondsTimeout: 500);
            }
            catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or InvalidOperationException or ObjectDisposedException)
            {
                LogKillFailed(display, Name, 0, ex.Message);
            }
        }

        // The caller disposes the command (and so the channel) after this; its errors are of no interest any more.
        _ = completion.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
