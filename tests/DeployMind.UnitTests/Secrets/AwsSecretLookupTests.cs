using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Infrastructure.Secrets;

namespace DeployMind.UnitTests.Secrets;

/// <summary>Parameter Store and Secrets Manager through the real AWS SDK client against a loopback SSM endpoint.</summary>
public sealed class AwsSecretLookupTests : IAsyncLifetime
{
    private readonly string _value = "val-" + Guid.NewGuid().ToString("N");
    private FakeAwsSsmServer _aws = null!;

    public async Task InitializeAsync() => _aws = await FakeAwsSsmServer.StartAsync();

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    [Fact]
    public async Task LookupAsync_ParameterStore_ReadsTheParameterDecryptedAndSkipsMissingOnes()
    {
        _aws.Parameters["/shop/prod/API_KEY"] = _value;

        var result = await Lookup().LookupAsync(Source(SecretSourceKind.AwsParameter, "/shop/prod/{name}"), ["API_KEY", "OTHER"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = _value }, result.Found);
        Assert.Null(result.Problem);
        Assert.Equal(
            ["AmazonSSM.GetParameter /shop/prod/API_KEY decrypt signed", "AmazonSSM.GetParameter /shop/prod/OTHER decrypt signed"],
            _aws.Calls);
    }

    [Fact]
    public async Task LookupAsync_SecretsManager_ReadsItsParameterStoreReference()
    {
        _aws.Parameters["/aws/reference/secretsmanager/shop/API_KEY"] = _value;

        var result = await Lookup().LookupAsync(Source(SecretSourceKind.AwsSecretsManager, "shop/{name}"), ["API_KEY"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = _value }, result.Found);
    }

    [Fact]
    public async Task LookupAsync_EndpointDown_IsAProblemNotAValue()
    {
        var source = Source(SecretSourceKind.AwsParameter, "{name}") with { Endpoint = "http://127.0.0.1:9" };

        var result = await Lookup().LookupAsync(source, ["API_KEY"], CancellationToken.None);

        Assert.Empty(result.Found);
        Assert.NotNull(result.Problem);
    }

    private SecretSource Source(SecretSourceKind kind, string location) =>
        new(kind, location) { Region = "us-east-1", Endpoint = _aws.Url.ToString().TrimEnd('/') };

    // The real client, with fixed test credentials (the SDK's default chain would read the machine's).
    private static AwsSecretLookup Lookup() => new(source => new AmazonSimpleSystemsManagementClient(
        new BasicAWSCredentials("AKIDEXAMPLETEST", "test-secret-key"),
        new AmazonSimpleSystemsManagementConfig { ServiceURL = source.Endpoint, AuthenticationRegion = source.Region, MaxErrorRetry = 0 }));
}
