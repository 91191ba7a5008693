using DeployMind.Infrastructure.Aws;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>One <see cref="FakeAws"/> per test class, with one online instance (this machine) and an output bucket.</summary>
public sealed class FakeAwsFixture : IAsyncLifetime
{
    public const string InstanceId = "i-0123456789abcdef0";
    public const string Bucket = "dm-test-output";

    private AwsClients? _clients;

    public FakeAws Aws { get; private set; } = null!;

    internal AwsClients Clients => _clients ??= Aws.Clients();

    /// <summary>A target for the instance: output bucket <see cref="Bucket"/> under "runs" unless <paramref name="withBucket"/> is false; quick polls.</summary>
    internal static SsmTarget Target(bool withBucket = true, TimeSpan? commandTimeout = null, string instanceId = InstanceId) =>
        new(instanceId)
        {
            S3Bucket = withBucket ? Bucket : null,
            S3Prefix = withBucket ? "runs" : string.Empty,
            CommandTimeout = commandTimeout,
            PollInterval = TimeSpan.FromMilliseconds(40),
            MaxPollInterval = TimeSpan.FromMilliseconds(200),
        };

    internal SsmCommandRunner Runner(ILoggerFactory loggers, SsmTarget target) =>
        new(target, Clients.Ssm(target.Region), target.S3Bucket is null ? null : Clients.S3(target.Region), loggers.CreateLogger<SsmCommandRunner>(), TimeProvider.System);

    public async Task InitializeAsync()
    {
        Aws = await FakeAws.StartAsync();
        Aws.AddInstance(new FakeAwsInstance(InstanceId) { Tags = new Dictionary<string, string> { ["Name"] = "web-1", ["role"] = "web" } });
    }

    public async Task DisposeAsync()
    {
        _clients?.Dispose();
        await Aws.DisposeAsync();
    }
}
