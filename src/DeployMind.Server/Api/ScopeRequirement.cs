using DeployMind.Application.Records;
using Microsoft.AspNetCore.Authorization;

namespace DeployMind.Server.Api;

/// <summary>An endpoint needs a token whose scope includes <see cref="Needed"/> (admin ⊇ deploy ⊇ read).</summary>
internal sealed class ScopeRequirement(ApiScope needed) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>The claim carrying the token's scope.</summary>
    public const string ClaimType = "deploymind:scope";

    public ApiScope Needed { get; } = needed;

    /// <summary>The scope the principal's token has, or null (not a token's principal).</summary>
    public static ApiScope? ScopeOf(System.Security.Claims.ClaimsPrincipal user) => ApiScopes.Parse(user?.FindFirst(ClaimType)?.Value);

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (ScopeOf(context.User) is { } held && held.Allows(requirement.Needed))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
