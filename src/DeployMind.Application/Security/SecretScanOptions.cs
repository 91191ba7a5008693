using System.ComponentModel.DataAnnotations;

namespace DeployMind.Application.Security;

/// <summary>The <c>scan:</c> section of deploymind.yml.</summary>
public sealed class SecretScanOptions
{
    public const string SectionName = "scan";

    /// <summary>Files larger than this are skipped (default 5 MB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>How many files are scanned at once (default: the processor count).</summary>
    [Range(1, 256)]
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;
}
