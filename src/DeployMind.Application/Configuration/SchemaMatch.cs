namespace DeployMind.Application.Configuration;

/// <summary>What <see cref="ConfigurationSchema"/> says about a key.</summary>
/// <param name="Known">Every segment is a setting (or an item of a dictionary or list).</param>
/// <param name="ScalarType">The value's type when the key is a scalar setting.</param>
/// <param name="KnownSegments">How many leading segments are known (all of them when <paramref name="Known"/>).</param>
/// <param name="Suggestion">The closest known name for the first unknown segment, when close enough to be a typo.</param>
internal sealed record SchemaMatch(bool Known, Type? ScalarType, int KnownSegments, string? Suggestion)
{
    /// <summary>A scalar setting's default as configuration writes it (null: none, or an item of a list or dictionary).</summary>
    public string? DefaultValue { get; init; }
}
