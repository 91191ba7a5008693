using System.ComponentModel;
using System.Globalization;
using DeployMind.Domain;
using DeployMind.Domain.Hosts;

namespace DeployMind.Application.Configuration;

/// <summary>
/// A host reached through AWS Systems Manager (the <c>ssm</c> key of a host entry): one EC2 instance
/// (<c>ssm: i-0123456789abcdef0</c>, a scalar, or <c>ssm: { instance: ... }</c>), or every running instance with the given
/// tags whose SSM agent is online (<c>ssm: { tags: { role: web } }</c>), each becoming a host named
/// <c>&lt;entry name&gt;:&lt;instance id&gt;</c>. Region and credentials come from the standard AWS chain unless <see cref="Region"/> is set.
/// </summary>
[TypeConverter(typeof(SsmHostOptionsConverter))]
public sealed class SsmHostOptions
{
    /// <summary>The instance id (<c>i-…</c>, optionally <c>@region</c>, or <c>ssm://i-…[@region]</c>); or <see cref="Tags"/>.</summary>
    public string? Instance { get; set; }

    /// <summary>EC2 tags every discovered instance has (all of them); instead of <see cref="Instance"/>.</summary>
    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The instances' region; null for the standard chain (AWS_REGION, the profile, instance metadata).</summary>
    public string? Region { get; set; }

    /// <summary>
    /// The S3 bucket for full command output (OutputS3BucketName) and for command scripts that must not travel in SSM's
    /// parameters (secrets, large input); without one, such commands are refused and output past SSM's inline limits is an error.
    /// </summary>
    public string? S3Bucket { get; set; }

    /// <summary>The key prefix in <see cref="S3Bucket"/> (OutputS3KeyPrefix); empty for the bucket's root.</summary>
    public string? S3Prefix { get; set; }

    /// <summary>Whether the entry discovers instances by tags.</summary>
    public bool DiscoversByTags => Tags is { Count: > 0 };

    /// <summary>The one instance the entry names, as an address (the entry's region when the id names none).</summary>
    /// <exception cref="InvalidInputException">The entry names no instance (or tags too), or the id is malformed.</exception>
    public HostAddress.Ssm ParseInstance()
    {
        if (DiscoversByTags)
        {
            throw new InvalidInputException(string.IsNullOrWhiteSpace(Instance)
                ? "ssm.tags discovers instances: each is its own host"
                : "ssm names both an instance and tags; keep one");
        }

        if (string.IsNullOrWhiteSpace(Instance))
        {
            throw new InvalidInputException("ssm names no instance; write ssm: i-0123456789abcdef0, or ssm: { tags: { role: web } }");
        }

        var text = Instance.Trim();
        var address = (HostAddress.Ssm)HostAddress.Parse(text.StartsWith("ssm://", StringComparison.OrdinalIgnoreCase) ? text : "ssm://" + text);
        return address.Region is null && !string.IsNullOrWhiteSpace(Region) ? new HostAddress.Ssm(address.InstanceId, Region.Trim()) : address;
    }

    /// <summary>"role=web, tier=front" for messages.</summary>
    public string TagsText() =>
        string.Join(", ", (Tags ?? []).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
}

/// <summary>Binds the scalar form <c>ssm: i-0123456789abcdef0</c> (a configuration value with no children).</summary>
public sealed class SsmHostOptionsConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? new SsmHostOptions { Instance = text } : base.ConvertFrom(context, culture, value);
}
