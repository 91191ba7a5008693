using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Server.Api;

/// <summary>
/// The REST API under <c>/api</c>: every endpoint needs a bearer token (<c>deploymind token create NAME</c>), checked
/// against <see cref="Application.Records.IApiTokens"/> (only hashes are stored). JSON is camelCase with enums as
/// snake_case strings, like the CLI's <c>--output json</c>; errors are problem details.
/// </summary>
internal static class ApiEndpoints
{
    /// <summary>The authorization policy of every <c>/api</c> endpoint: an authenticated bearer token.</summary>
    public const string Policy = "api";

    /// <summary>
    /// Registers the API's services: bearer-token authentication and its policy, the JSON style, the OpenAPI document's
    /// bearer security scheme, and the event stream's timing.
    /// </summary>
    public static IServiceCollection AddApiAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(BearerTokenHandler.SchemeName).RequireAuthenticatedUser());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower)));
        services.Configure<OpenApiOptions>("v1", o => o.AddDocumentTransformer<BearerSecuritySchemeTransformer>());
        services.TryAddSingleton(new EventStreamSettings());
        return services;
    }

    /// <summary>Maps the API's endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api")
            .RequireAuthorization(Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        DeploymentEndpoints.Map(api);
        DeploymentActions.Map(api);
        DeploymentEventsEndpoint.Map(api);
        WebhookDeliveriesEndpoint.Map(api);
    }
}
