namespace DeployMind.Domain.Build;

/// <summary>The languages DeployMind detects and generates Dockerfiles for.</summary>
public enum Language
{
    Unknown = 0,
    Node,
    Python,
    Go,
    Java,
    Ruby,
    Rust,
    Php,
    DotNet,
}
