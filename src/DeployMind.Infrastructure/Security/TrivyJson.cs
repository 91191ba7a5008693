using System.Text.Json.Serialization;

namespace DeployMind.Infrastructure.Security;

// The parts of Trivy's JSON report (SchemaVersion 2) DeployMind reads; everything else is ignored.
// Secret entries deliberately have no Match or Code members: the secret's text is never even deserialized.

/// <summary>A Trivy report: <c>{"SchemaVersion": 2, "ArtifactName", "ArtifactType", "Metadata", "Results": [...]}</c>.</summary>
internal sealed class TrivyReport
{
    public int? SchemaVersion { get; init; }

    public string? ArtifactName { get; init; }

    public string? ArtifactType { get; init; }

    public IReadOnlyList<TrivyResult>? Results { get; init; }
}

/// <summary>One scanned target: the OS packages (<c>"debian:bookworm (debian 12.5)"</c>), a lockfile, a config file.</summary>
internal sealed class TrivyResult
{
    public string? Target { get; init; }

    public string? Class { get; init; }

    public string? Type { get; init; }

    public IReadOnlyList<TrivyVulnerability>? Vulnerabilities { get; init; }

    public IReadOnlyList<TrivyMisconfiguration>? Misconfigurations { get; init; }

    public IReadOnlyList<TrivySecret>? Secrets { get; init; }
}

internal sealed class TrivyVulnerability
{
    public string? VulnerabilityId { get; init; }

    public string? PkgName { get; init; }

    public string? InstalledVersion { get; init; }

    public string? FixedVersion { get; init; }

    public string? Severity { get; init; }

    public string? Title { get; init; }

    public string? PrimaryUrl { get; init; }
}

internal sealed class TrivyMisconfiguration
{
    public string? Id { get; init; }

    public string? AvdId { get; init; }

    public string? Title { get; init; }

    public string? Severity { get; init; }

    public string? Resolution { get; init; }

    /// <summary>FAIL, or PASS / EXCEPTION with <c>--include-non-failures</c>.</summary>
    public string? Status { get; init; }

    public TrivyCauseMetadata? CauseMetadata { get; init; }
}

internal sealed class TrivyCauseMetadata
{
    public int? StartLine { get; init; }
}

internal sealed class TrivySecret
{
    public string? RuleId { get; init; }

    public string? Category { get; init; }

    public string? Severity { get; init; }

    public string? Title { get; init; }

    public int? StartLine { get; init; }

    public int? EndLine { get; init; }
}

/// <summary>Source-generated (de)serialization; Trivy's names (<c>VulnerabilityID</c>, <c>AVDID</c>) match case-insensitively.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(TrivyReport))]
internal sealed partial class TrivyJsonContext : JsonSerializerContext;
