using System.Security.Claims;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;

namespace DeployMind.Server.Api;

/// <summary>The API's problem answers and the lookup of <c>{id}</c> (a full id or a unique prefix).</summary>
internal static class ApiProblems
{
    /// <summary>400 naming the parameter or field that is wrong (<c>errors.{name}</c>).</summary>
    public static IResult Invalid(string name, string message) => Invalid(new Dictionary<string, string[]> { [name] = [message] });

    /// <summary>400 with every field that is wrong.</summary>
    public static IResult Invalid(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return Results.ValidationProblem(
            errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
            detail: string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            title: "Invalid request");
    }

    public static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such deployment", detail: detail);

    public static IResult Conflict(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    /// <summary>"api:&lt;token name&gt;": who asked, as recorded in <see cref="Deployment.TriggeredBy"/>.</summary>
    public static string Caller(ClaimsPrincipal user) => "api:" + (user?.Identity?.Name ?? "unknown");

    /// <summary>
    /// The deployment <paramref name="id"/> names (its id, or the first characters of one, as <c>deploymind list</c> shows
    /// them), else the problem to answer: 404 when none matches, 409 when a prefix matches several.
    /// </summary>
    public static async Task<(Deployment? Deployment, IResult? Problem)> FindAsync(IDeploymentStore store, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var text = id?.Trim() ?? string.Empty;
        if (Guid.TryParse(text, out var guid))
        {
            return await store.GetAsync(guid, cancellationToken) is { } found
                ? (found, null)
                : (null, NotFound($"There is no deployment {guid}. GET /api/deployments lists the recent ones."));
        }

        if (!DeploymentLookup.LooksLikePrefix(text))
        {
            return (null, NotFound($"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not a deployment id: give the id, or at least 4 of its first characters (0-9, a-f)."));
        }

        var matches = await store.FindByPrefixAsync(text.ToLowerInvariant(), 3, cancellationToken);
        return matches.Count switch
        {
            1 => (matches[0], null),
            0 => (null, NotFound($"No deployment id starts with '{text}'. GET /api/deployments lists the recent ones.")),
            _ => (null, Conflict("Ambiguous deployment id", $"'{text}' starts the ids of more than one deployment ({string.Join(", ", matches.Select(m => m.ShortId()))}); give more of the id.")),
        };
    }
}
