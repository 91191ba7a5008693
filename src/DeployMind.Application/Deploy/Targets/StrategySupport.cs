using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Targets;

/// <summary>Whether a target carries out a strategy: an unsupported pair is a configuration error naming both, never a fallback.</summary>
internal static class StrategySupport
{
    /// <summary>Null when <paramref name="target"/> supports <paramref name="strategy"/>, else the problem, naming <paramref name="key"/> when given.</summary>
    public static string? Problem(IDeployTarget target, StrategyKind strategy, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Strategies.Contains(strategy)
            ? null
            : $"{(key is null ? string.Empty : key + ": ")}strategy {strategy.Name()} is not supported by {target.Kind.Name()} targets; supported: {string.Join(", ", target.Strategies.Select(s => s.Name()))}";
    }

    /// <summary>Throws when <paramref name="target"/> does not support <paramref name="strategy"/>.</summary>
    /// <exception cref="InvalidInputException">The pair is unsupported; the message names both and what is supported.</exception>
    public static void Ensure(IDeployTarget target, StrategyKind strategy, string? key = null)
    {
        if (Problem(target, strategy, key) is { } problem)
        {
            throw new InvalidInputException(problem);
        }
    }
}
