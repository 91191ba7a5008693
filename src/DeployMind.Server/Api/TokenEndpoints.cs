using DeployMind.Application.Records;

namespace DeployMind.Server.Api;

/// <summary><c>GET /api/tokens</c> (the tokens: names, scopes, dates, never the tokens) and <c>DELETE /api/tokens/{name}</c> (revoke): admin scope.</summary>
internal static class TokenEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/tokens", ListAsync)
            .RequireAuthorization(ApiEndpoints.AdminPolicy)
            .WithName("ListTokens")
            .WithTags("tokens")
            .WithSummary("Lists the API tokens: name, scope, created, last used, revoked (never the tokens). Needs the admin scope.")
            .Produces<IReadOnlyList<TokenView>>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapDelete("/tokens/{name}", RevokeAsync)
            .RequireAuthorization(ApiEndpoints.AdminPolicy)
            .WithName("RevokeToken")
            .WithTags("tokens")
            .WithSummary("Revokes a token at once (requests with it get 401). Needs the admin scope.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(IApiTokens tokens, CancellationToken cancellationToken) =>
        Results.Ok((await tokens.ListAsync(cancellationToken)).Select(t => new TokenView(t.Name, t.Scope.Name(), t.CreatedAt, t.LastUsedAt, t.RevokedAt)).ToList());

    private static async Task<IResult> RevokeAsync(string name, IApiTokens tokens, CancellationToken cancellationToken) =>
        await tokens.RevokeAsync(name.Trim(), cancellationToken)
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such token", detail: $"There is no active token called '{(name.Length > 64 ? name[..64] : name)}'. GET /api/tokens lists them.");
}

/// <summary>A token as the API lists it.</summary>
internal sealed record TokenView(string Name, string Scope, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
