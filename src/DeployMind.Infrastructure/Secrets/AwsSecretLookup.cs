using Amazon;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using DeployMind.Application.Deploy.Secrets;

namespace DeployMind.Infrastructure.Secrets;

/// <summary>
/// AWS Systems Manager Parameter Store (<c>aws:</c>) and Secrets Manager (<c>secretsManager:</c>) through the AWS SDK's
/// SSM client: a parameter is read with decryption, a Secrets Manager secret through its documented Parameter Store
/// reference <c>/aws/reference/secretsmanager/&lt;secret-id&gt;</c> (same call, same credentials: the SDK's default chain).
/// </summary>
internal sealed class AwsSecretLookup : ISecretLookup
{
    internal const string SecretsManagerPrefix = "/aws/reference/secretsmanager/";

    private readonly Func<SecretSource, IAmazonSimpleSystemsManagement> _clients;

    public AwsSecretLookup()
        : this(CreateClient)
    {
    }

    /// <summary>For tests: <paramref name="clients"/> makes the client of a source (e.g. with fixed credentials).</summary>
    internal AwsSecretLookup(Func<SecretSource, IAmazonSimpleSystemsManagement> clients)
    {
        _clients = clients;
    }

    public bool Reads(SecretSourceKind kind) => kind is SecretSourceKind.AwsParameter or SecretSourceKind.AwsSecretsManager;

    public async Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(names);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        IAmazonSimpleSystemsManagement client;
        try
        {
            client = _clients(source);
        }
        catch (AmazonClientException ex)
        {
            return SecretLookupResult.Unavailable($"no AWS client: {ex.Message}");
        }

        using (client)
        {
            foreach (var name in names)
            {
                var parameter = ParameterName(source, name);
                try
                {
                    var answer = await client.GetParameterAsync(new GetParameterRequest { Name = parameter, WithDecryption = true }, cancellationToken);
                    if (answer.Parameter?.Value is { } value)
                    {
                        found[name] = value;
                    }
                }
                catch (ParameterNotFoundException)
                {
                    // Not here: the next source may have it.
                }
                catch (AmazonServiceException ex) when (ex.ErrorCode is "ResourceNotFoundException")
                {
                    // A Secrets Manager reference to no secret.
                }
                catch (AmazonServiceException ex)
                {
                    return new SecretLookupResult(found, $"AWS answered {ex.ErrorCode ?? ex.StatusCode.ToString()}: {ex.Message}");
                }
                catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException)
                {
                    return new SecretLookupResult(found, $"AWS could not be asked: {ex.Message}");
                }
            }
        }

        return new SecretLookupResult(found);
    }

    /// <summary>The parameter read for secret <paramref name="name"/> of <paramref name="source"/>.</summary>
    internal static string ParameterName(SecretSource source, string name) =>
        source.Kind == SecretSourceKind.AwsSecretsManager ? SecretsManagerPrefix + source.NameOf(name) : source.NameOf(name);

    private static AmazonSimpleSystemsManagementClient CreateClient(SecretSource source)
    {
        var config = new AmazonSimpleSystemsManagementConfig();
        if (source.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = source.Region ?? "us-east-1";
        }
        else if (source.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonSimpleSystemsManagementClient(config);
    }
}
