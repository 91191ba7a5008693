namespace DeployMind.Domain.Build;

/// <summary>No supported language could be recognised in an application folder.</summary>
public sealed class LanguageNotDetectedException : DeployMindException
{
    public LanguageNotDetectedException(string appPath, IReadOnlyList<string> lookedFor)
        : base($"Could not detect the language of '{appPath}': found none of {string.Join(", ", lookedFor)}. "
            + "Point --path at the application folder inside the repository, or add a Dockerfile to build it as is.")
    {
        AppPath = appPath;
        LookedFor = lookedFor;
    }

    public LanguageNotDetectedException()
    {
        AppPath = string.Empty;
        LookedFor = [];
    }

    public LanguageNotDetectedException(string message)
        : base(message)
    {
        AppPath = string.Empty;
        LookedFor = [];
    }

    public LanguageNotDetectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        AppPath = string.Empty;
        LookedFor = [];
    }

    public string AppPath { get; }

    public IReadOnlyList<string> LookedFor { get; }
}
