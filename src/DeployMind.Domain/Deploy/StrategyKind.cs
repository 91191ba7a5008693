namespace DeployMind.Domain.Deploy;

/// <summary>How a new release replaces the running one.</summary>
public enum StrategyKind
{
    Rolling,
    Canary,
    BlueGreen,
}

/// <summary>The names users write for strategies.</summary>
public static class StrategyKindExtensions
{
    public static string Name(this StrategyKind kind) => kind switch
    {
        StrategyKind.BlueGreen => "blue-green",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
