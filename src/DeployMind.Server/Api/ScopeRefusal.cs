using DeployMind.Application.Records;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace DeployMind.Server.Api;

/// <summary>
/// A valid token without the scope an endpoint needs is answered 403 with a problem naming both scopes (the needed and
/// the token's) and how to get one; every other authorization result is handled as ASP.NET Core does.
/// </summary>
internal sealed partial class ScopeRefusal(ILogger<ScopeRefusal> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var missing = authorizeResult.Forbidden
            ? authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().MaxBy(r => r.Needed)
            : null;
        if (missing is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var held = ScopeRequirement.ScopeOf(context.User);
        var name = context.User.Identity?.Name ?? "?";
        var needed = missing.Needed.Name();
        var has = held?.Name() ?? "none";
        var path = context.Request.Path.Value ?? "/";
        LogRefused(logger, context.Request.Method, path, name, has, needed);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        var problem = new ProblemDetailsContext { HttpContext = context };
        problem.ProblemDetails.Status = StatusCodes.Status403Forbidden;
        problem.ProblemDetails.Title = "Insufficient scope";
        problem.ProblemDetails.Detail =
            $"This needs a token with the '{needed}' scope; the token '{name}' has '{has}'. `deploymind token create NAME --scope {needed}` makes one.";
        problem.ProblemDetails.Extensions["requiredScope"] = needed;
        problem.ProblemDetails.Extensions["tokenScope"] = held?.Name();
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{needed}\"";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(problem))
        {
            await context.Response.WriteAsJsonAsync(problem.ProblemDetails, context.RequestAborted);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API request {Method} {Path} refused: the token {Token} has the scope {Held}, the endpoint needs {Needed}.")]
    private static partial void LogRefused(ILogger logger, string method, string path, string token, string held, string needed);
}
