using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary>Settings that cannot be read (a port that is not a number, an unknown mode), each with where it was written.</summary>
public sealed class InvalidConfigurationException : DeployMindException
{
    public InvalidConfigurationException(IReadOnlyList<ConfigurationProblem> problems)
        : base(string.Join(" ", (problems ?? throw new ArgumentNullException(nameof(problems))).Select(p => p.ToString())))
    {
        Problems = problems;
    }

    public InvalidConfigurationException()
    {
        Problems = [];
    }

    public InvalidConfigurationException(string message)
        : base(message)
    {
        Problems = [];
    }

    public InvalidConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    /// <summary>Every problem found, in the order of the files.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems { get; }
}
