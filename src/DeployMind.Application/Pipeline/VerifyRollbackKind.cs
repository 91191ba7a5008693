namespace DeployMind.Application.Pipeline;

/// <summary>What happened to the new release after it failed verify.</summary>
internal enum VerifyRollbackKind
{
    /// <summary>Traffic went straight back to the previous releases, which kept running; the new one was removed.</summary>
    Reverted,

    /// <summary>The previous release had been stopped: it was started again and traffic switched back to it.</summary>
    RestartedPrevious,

    /// <summary>The first release of the app there: nothing to go back to, the new release stays in place.</summary>
    FirstRelease,

    /// <summary>There was no release to go back to (or it could not be used): the new release stays in place.</summary>
    Unavailable,

    /// <summary>The rollback was tried and failed.</summary>
    RollbackFailed,
}
