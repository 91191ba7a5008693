using System.Collections.Concurrent;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Hosts;
using DeployMind.Infrastructure.Aws;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>Hosts reached through AWS SSM: one instance per entry, or the instances an entry's tags find.</summary>
internal sealed partial class DeployHostFactory
{
    private static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<DiscoveredInstance>>> _discovered = new(StringComparer.Ordinal);

    /// <summary>The AWS clients of this factory's SSM hosts.</summary>
    internal AwsClients Aws => _aws.Value;

    public IReadOnlyList<DeployHost> CreateAll(HostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Ssm is { DiscoversByTags: true } ? [.. Expand(options).Select(Create)] : [Create(options)];
    }

    /// <summary>
    /// The hosts an entry with tags stands for, one per instance (<c>&lt;entry&gt;:&lt;instance id&gt;</c>, with the entry's region
    /// and bucket). Discovery runs once per factory — once per deploy job, whose scope owns it — so every stage of the job sees the
    /// same instances; it waits for AWS synchronously, as host lists are built synchronously (<c>DeployService.Hosts</c>).
    /// </summary>
    internal IReadOnlyList<HostOptions> Expand(HostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ssm = options.Ssm ?? throw new ArgumentException("Not an SSM entry.", nameof(options));
        if (!ssm.DiscoversByTags)
        {
            return [options];
        }

        if (!string.IsNullOrWhiteSpace(ssm.Instance))
        {
            throw new InvalidInputException($"Host {options.Name}: ssm names both an instance and tags; keep one.");
        }

        var key = $"{options.Name}|{ssm.Region}|{ssm.TagsText()}";
        var lazy = _discovered.GetOrAdd(key, _ => new Lazy<IReadOnlyList<DiscoveredInstance>>(() => Discover(options.Name, ssm)));
        try
        {
            return [.. lazy.Value.Select(instance => InstanceHost(options, instance.InstanceId))];
        }
        catch (InvalidInputException)
        {
            _discovered.TryRemove(key, out _); // the next job looks again
            throw;
        }
    }

    /// <summary>The host entry of one discovered instance.</summary>
    internal static HostOptions InstanceHost(HostOptions entry, string instanceId) => new()
    {
        Name = $"{entry.Name}:{instanceId}",
        Ssm = new SsmHostOptions { Instance = instanceId, Region = entry.Ssm?.Region, S3Bucket = entry.Ssm?.S3Bucket, S3Prefix = entry.Ssm?.S3Prefix },
    };

    private IReadOnlyList<DiscoveredInstance> Discover(string entry, SsmHostOptions ssm)
    {
        using var timeout = new CancellationTokenSource(DiscoveryTimeout, _time);
        try
        {
            return Task.Run(() => new SsmInstanceDiscovery(Aws).DiscoverAsync(entry, ssm, timeout.Token), timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException ex)
        {
            throw new InvalidInputException($"Host {entry}: finding the EC2 instances with tags {ssm.TagsText()} took longer than {DiscoveryTimeout.TotalSeconds:0} s.", ex);
        }
    }

    private static HostAddress.Ssm SsmAddressOf(HostOptions options)
    {
        try
        {
            return options.Ssm!.ParseInstance();
        }
        catch (InvalidInputException ex)
        {
            throw new InvalidInputException($"Host {options.Name}: {ex.Message}", ex);
        }
    }

    /// <summary>An SSM runner for one instance: its region (the address's, else the entry's, else the standard chain) and bucket.</summary>
    private SsmCommandRunner CreateSsmRunner(HostOptions options, HostAddress.Ssm address)
    {
        var bucket = string.IsNullOrWhiteSpace(options.Ssm?.S3Bucket) ? null : options.Ssm.S3Bucket.Trim();
        var target = new SsmTarget(address.InstanceId, address.Region)
        {
            S3Bucket = bucket,
            S3Prefix = options.Ssm?.S3Prefix?.Trim() ?? string.Empty,
        };
        return new SsmCommandRunner(
            target, Aws.Ssm(target.Region), bucket is null ? null : Aws.S3(target.Region), _loggers.CreateLogger<SsmCommandRunner>(), _time);
    }
}
