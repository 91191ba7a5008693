namespace DeployMind.Cli;

/// <summary>The process exit codes of <c>deploymind</c> (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Something unexpected failed; the message says what.</summary>
    public const int Error = 1;

    /// <summary>Bad input: unknown option, missing folder or file, invalid configuration or tag.</summary>
    public const int InvalidInput = 2;

    /// <summary>The application's language could not be detected.</summary>
    public const int DetectionFailed = 3;

    /// <summary><c>lint</c> found problems at or above <c>--fail-on</c>.</summary>
    public const int LintFindings = 4;

    /// <summary>The image build failed; the message quotes the failing step.</summary>
    public const int BuildFailed = 5;

    /// <summary>The deploy failed or was rolled back; the previous release is still serving.</summary>
    public const int DeployFailed = 6;

    /// <summary>The security scan found blocking problems (secrets, risky settings); nothing was built.</summary>
    public const int ScanBlocked = 7;

    /// <summary>Superseded: a newer deployment of the same app and environment succeeded first; this one was never deployed.</summary>
    public const int Superseded = 8;

    /// <summary><c>status</c>: the deployment is still queued or running (ask again); not a failure.</summary>
    public const int StillRunning = 9;

    /// <summary>Cancelled (Ctrl-C / SIGINT).</summary>
    public const int Cancelled = 130;
}
