namespace DeployMind.Application.Security;

/// <summary>Why a file was not scanned.</summary>
public enum SkipReason
{
    /// <summary>A NUL byte in the first 8 KB.</summary>
    Binary = 0,

    /// <summary>Larger than <see cref="SecretScanOptions.MaxFileBytes"/>.</summary>
    TooLarge = 1,

    /// <summary>Excluded by a <c>.deploymindignore</c> pattern.</summary>
    Ignored = 2,

    /// <summary>A lockfile, a minified file or a dependency/build-output folder.</summary>
    LockfileOrVendored = 3,

    /// <summary>Could not be read (permissions, vanished) or parsed.</summary>
    Unreadable = 4,
}
