using DeployMind.Infrastructure.Nginx;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxReloadErrorsTests
{
    private const string BindRetry = "2026/12/06 14:35:47 [emerg] 32419#32419: bind() to 127.0.0.1:18082 failed (98: Address already in use)";
    private const string GaveUp = "2026/12/06 14:35:47 [emerg] 32419#32419: still could not bind()";

    [Fact]
    public void Lines_ErrorLog_KeepsOnlyEmergencyAlertAndCriticalLines()
    {
        var log = "2026/12/06 14:35:47 [notice] 32468#32468: signal process started\n" + BindRetry + "\n"
            + "2026/12/06 14:35:48 [warn] 1#1: conflicting server name \"a\" on 127.0.0.1:80, ignored\n"
            + "2026/12/06 14:35:49 [alert] 1#1: worker process 7 exited on signal 9\n";

        Assert.Equal(
            ["[emerg] bind() to 127.0.0.1:18082 failed (98: Address already in use)", "[alert] worker process 7 exited on signal 9"],
            NginxReloadErrors.Lines(log + BindRetry + "\n"));
        Assert.Equal(["[emerg] still could not bind()"], NginxReloadErrors.Lines("nginx: [emerg] still could not bind()\n"));
    }

    [Fact]
    public void IsFinal_EmergenciesOnly_BindRetriesUntilNginxGivesUp()
    {
        Assert.False(NginxReloadErrors.IsFinal([]));
        Assert.False(NginxReloadErrors.IsFinal(NginxReloadErrors.Lines(BindRetry + "\n" + BindRetry)));
        Assert.True(NginxReloadErrors.IsFinal(NginxReloadErrors.Lines(BindRetry + "\n" + GaveUp)));
        Assert.True(NginxReloadErrors.IsFinal(NginxReloadErrors.Lines("2026/12/06 14:35:47 [emerg] 1#1: open() \"/x/logs/a.log\" failed (13: Permission denied)")));
        Assert.False(NginxReloadErrors.IsFinal(NginxReloadErrors.Lines("2026/12/06 14:35:49 [alert] 1#1: worker process 7 exited on signal 9")));
    }

    [Fact]
    public void BindFailures_IPv4AndIPv6_ReturnsEachPortOnce()
    {
        var text = BindRetry + "\n" + BindRetry + "\nnginx: [emerg] bind() to [::1]:9443 failed (98: Address already in use)\n" + GaveUp;

        Assert.Equal([18082, 9443], NginxReloadErrors.BindFailures(text));
        Assert.Empty(NginxReloadErrors.BindFailures(GaveUp));
    }
}
