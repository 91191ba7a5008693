namespace DeployMind.Application.Configuration;

/// <summary>Where a setting was written: a line and column of a configuration file, or an environment variable.</summary>
public sealed record ConfigurationLocation
{
    private ConfigurationLocation()
    {
    }

    /// <summary>The file as shown to the user (relative to the current folder when inside it); null for an environment variable.</summary>
    public string? File { get; private init; }

    /// <summary>1-based line in <see cref="File"/>; 0 for an environment variable.</summary>
    public int Line { get; private init; }

    /// <summary>1-based column in <see cref="File"/>; 0 for an environment variable.</summary>
    public int Column { get; private init; }

    /// <summary>The environment variable that set the value; null for a file.</summary>
    public string? EnvironmentVariable { get; private init; }

    public static ConfigurationLocation InFile(string file, int line, int column) => new() { File = file, Line = line, Column = column };

    public static ConfigurationLocation InEnvironmentVariable(string name) => new() { EnvironmentVariable = name };

    /// <summary>"deploymind.yml:14:15" or "environment variable DEPLOYMIND__BUILD__NETWORK".</summary>
    public override string ToString() => File is not null ? $"{File}:{Line}:{Column}" : $"environment variable {EnvironmentVariable}";
}
