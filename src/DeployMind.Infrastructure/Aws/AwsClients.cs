using System.Collections.Concurrent;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;

namespace DeployMind.Infrastructure.Aws;

/// <summary>
/// The AWS clients of SSM hosts, one per service and region, shared by every host and disposed with the container.
/// Region and credentials come from the SDK's standard chain (AWS_REGION/AWS_PROFILE/AWS_ACCESS_KEY_ID..., the shared
/// config and credentials files, the instance or task role) unless a host names its region. Tests point every client at
/// one loopback endpoint (<see cref="AwsClients(Uri, AWSCredentials, string)"/>).
/// </summary>
internal sealed class AwsClients : IDisposable
{
    private readonly ConcurrentDictionary<(string Service, string Region), Lazy<IDisposable>> _clients = new();
    private readonly Uri? _serviceUrl;
    private readonly AWSCredentials? _credentials;
    private readonly string? _defaultRegion;

    /// <summary>Clients on the standard AWS chain: AWS's endpoints, the default credentials and region.</summary>
    public AwsClients()
    {
    }

    /// <summary>Clients that all talk to <paramref name="serviceUrl"/> (path-style S3) with <paramref name="credentials"/>.</summary>
    internal AwsClients(Uri serviceUrl, AWSCredentials credentials, string defaultRegion)
    {
        (_serviceUrl, _credentials, _defaultRegion) = (serviceUrl, credentials, defaultRegion);
    }

    public IAmazonSimpleSystemsManagement Ssm(string? region) =>
        (IAmazonSimpleSystemsManagement)Get("ssm", region, () => Create(new AmazonSimpleSystemsManagementConfig(), region, (c, cfg) => new AmazonSimpleSystemsManagementClient(c, cfg), cfg => new AmazonSimpleSystemsManagementClient(cfg)));

    public IAmazonS3 S3(string? region) =>
        (IAmazonS3)Get("s3", region, () => Create(new AmazonS3Config { ForcePathStyle = _serviceUrl is not null }, region, (c, cfg) => new AmazonS3Client(c, cfg), cfg => new AmazonS3Client(cfg)));

    public IAmazonEC2 Ec2(string? region) =>
        (IAmazonEC2)Get("ec2", region, () => Create(new AmazonEC2Config(), region, (c, cfg) => new AmazonEC2Client(c, cfg), cfg => new AmazonEC2Client(cfg)));

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }

    private IDisposable Get(string service, string? region, Func<IDisposable> create) =>
        _clients.GetOrAdd((service, region ?? string.Empty), _ => new Lazy<IDisposable>(create)).Value;

    private TClient Create<TConfig, TClient>(TConfig config, string? region, Func<AWSCredentials, TConfig, TClient> withCredentials, Func<TConfig, TClient> withChain)
        where TConfig : ClientConfig
    {
        if (_serviceUrl is not null)
        {
            config.ServiceURL = _serviceUrl.ToString();
            config.AuthenticationRegion = region ?? _defaultRegion;
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return _credentials is not null ? withCredentials(_credentials, config) : withChain(config);
    }
}
