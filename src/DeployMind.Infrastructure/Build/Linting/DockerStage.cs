namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>A build stage: a FROM and the instructions up to the next FROM.</summary>
/// <param name="Index">0-based position.</param>
/// <param name="Name">The <c>AS name</c> alias, or null.</param>
/// <param name="BaseImage">The image reference as written after FROM (may contain <c>$VARS</c> or name an earlier stage).</param>
/// <param name="From">The FROM instruction itself.</param>
/// <param name="Instructions">The instructions after FROM, in order.</param>
internal sealed record DockerStage(int Index, string? Name, string BaseImage, DockerInstruction From, IReadOnlyList<DockerInstruction> Instructions)
{
    /// <summary>"stage 'build'" or "stage 2", for messages.</summary>
    public string DisplayName => Name is null ? $"stage {Index}" : $"stage '{Name}'";
}
