using System.Text.Json;
using System.Text.Json.Serialization;
using DeployMind.Application.Records;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Server.Api;

/// <summary>
/// The REST API under <c>/api</c>: every endpoint needs a bearer token (<c>deploymind token create NAME --scope S</c>), checked
/// against <see cref="Application.Records.IApiTokens"/> (only hashes are stored), whose scope covers the endpoint's: read
/// for what reads, deploy for what changes deployments, admin for the tokens (a token short of it gets 403). JSON is camelCase with enums as
/// snake_case strings, like the CLI's <c>--output json</c>; errors are problem details.
/// </summary>
internal static class ApiEndpoints
{
    /// <summary>The authorization policy of every <c>/api</c> endpoint: an authenticated bearer token with at least the read scope.</summary>
    public const string Policy = "api";

    /// <summary>What changes deployments (create, rollback, cancel): the deploy scope.</summary>
    public const string DeployPolicy = "api:deploy";

    /// <summary>What manages the server (tokens): the admin scope.</summary>
    public const string AdminPolicy = "api:admin";

    /// <summary>
    /// Registers the API's services: bearer-token authentication and its policy, the JSON style, the OpenAPI document's
    /// bearer security scheme, and the event stream's timing.
    /// </summary>
    public static IServiceCollection AddApiAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => Scoped(policy, ApiScope.Read))
            .AddPolicy(DeployPolicy, policy => Scoped(policy, ApiScope.Deploy))
            .AddPolicy(AdminPolicy, policy => Scoped(policy, ApiScope.Admin));
        // ScopeRequirement is its own handler (ASP.NET Core's pass-through handler runs it).
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, ScopeRefusal>());
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
        TokenEndpoints.Map(api);
    }

    private static void Scoped(AuthorizationPolicyBuilder policy, ApiScope scope) =>
        policy.AddAuthenticationSchemes(BearerTokenHandler.SchemeName).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope));
}
