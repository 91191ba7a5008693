using System.Globalization;

namespace DeployMind.Infrastructure.Aws;

/// <summary>
/// An EC2 instance reached through AWS Systems Manager Run Command, with what <see cref="SsmCommandRunner"/> needs to
/// know about it: its region (null: the SDK's default chain), the S3 bucket and prefix for full output and for command
/// payloads that must not (or cannot) travel in the SendCommand parameters, a per-command deadline, and how often to poll.
/// </summary>
public sealed record SsmTarget
{
    public SsmTarget(string instanceId, string? region = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        InstanceId = instanceId;
        Region = string.IsNullOrWhiteSpace(region) ? null : region;
    }

    /// <summary>The instance's id, e.g. <c>i-0123456789abcdef0</c>.</summary>
    public string InstanceId { get; }

    /// <summary>The instance's region; null for the SDK's default (AWS_REGION, the profile, instance metadata).</summary>
    public string? Region { get; }

    /// <summary>
    /// The S3 bucket SSM writes full output to (<c>OutputS3BucketName</c>) and DeployMind puts command payloads in (secrets,
    /// large input); null: output past SSM's inline limits is an error, and commands carrying secrets are refused.
    /// </summary>
    public string? S3Bucket { get; init; }

    /// <summary>The key prefix in <see cref="S3Bucket"/> (<c>OutputS3KeyPrefix</c>); empty for the bucket's root.</summary>
    public string S3Prefix { get; init; } = string.Empty;

    /// <summary>How long one command may run before it is cancelled on the instance; null for no deadline of DeployMind's own.</summary>
    public TimeSpan? CommandTimeout { get; init; }

    /// <summary>The first wait between GetCommandInvocation calls; each wait is 1.5 times the last, up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two GetCommandInvocation calls.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the presigned URL of a command's payload in S3 is valid (the instance fetches it when the command starts).</summary>
    public TimeSpan PayloadUrlLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>"i-… (region)" for messages.</summary>
    public string Display => InstanceId + (Region is null ? string.Empty : " (" + Region + ")");

    internal string S3KeyPrefix => S3Prefix.Trim('/') is { Length: > 0 } p ? p + "/" : string.Empty;

    internal static string SecondsText(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
