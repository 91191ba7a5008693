using System.Globalization;
using DeployMind.Application.Agents;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;

namespace DeployMind.Server.Api;

/// <summary><c>GET /api/deployments</c> (the recent ones, filtered) and <c>GET /api/deployments/{id}</c> (one, with its timeline and findings).</summary>
internal static class DeploymentEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 200;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/deployments", ListAsync)
            .WithName("ListDeployments")
            .WithTags("deployments")
            .WithSummary("Lists deployments, newest first, filtered by app, environment, repository, state, branch and who triggered them.")
            .WithDescription($"limit: 1 to {MaxLimit} (default {DefaultLimit}); state: queued, scanning, building, deploying, verifying, succeeded, failed, rolled_back, cancelled or superseded; branch: exact; triggeredBy: a prefix (api:ci, dashboard:, github); before: an ISO 8601 instant (the createdAt of the last one seen, to page).")
            .Produces<IReadOnlyList<DeploymentView>>()
            .ProducesValidationProblem();
        api.MapGet("/deployments/{id}", GetAsync)
            .WithName("GetDeployment")
            .WithTags("deployments")
            .WithSummary("Gets one deployment with its timeline and findings; {id} is its id or a unique prefix of it (8 characters, as `deploymind list` shows).")
            .Produces<DeploymentView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/deployments/{id}/explain", ExplainAsync)
            .WithName("ExplainDeployment")
            .WithTags("deployments")
            .WithSummary("Answers a question about a deployment (\"why did this roll back?\") from its records: by the ai: model with the records as its tools, else by rules; with the figures used.")
            .WithDescription($"Body (optional): {{\"question\": \"...\"}}, at most {DeploymentExplainer.MaxQuestionLength} characters; without it, why the deployment ended the way it did. Changes nothing.")
            .Accepts<ExplainRequest>("application/json")
            .Produces<DeploymentAnswer>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>The body of <c>POST /api/deployments/{id}/explain</c>.</summary>
    /// <param name="Question">What to ask; empty: why the deployment ended the way it did.</param>
    internal sealed record ExplainRequest(string? Question);

    private static async Task<IResult> ExplainAsync(HttpContext http, IDeploymentStore store, DeploymentExplainer explainer, string id, CancellationToken cancellationToken)
    {
        var (deployment, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (deployment is null)
        {
            return problem!;
        }

        string? question = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            if (!http.Request.HasJsonContentType())
            {
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the question as JSON (Content-Type: application/json): {\"question\": \"...\"}.");
            }

            try
            {
                question = (await http.Request.ReadFromJsonAsync<ExplainRequest>(cancellationToken))?.Question;
            }
            catch (System.Text.Json.JsonException ex)
            {
                return ApiProblems.Invalid("question", $"The body is not the JSON asked for ({ex.Message}); send {{\"question\": \"...\"}}.");
            }
        }

        if (question is { Length: > DeploymentExplainer.MaxQuestionLength })
        {
            return ApiProblems.Invalid("question", $"The question is {question.Length} characters long; ask in at most {DeploymentExplainer.MaxQuestionLength}.");
        }

        return Results.Ok(await explainer.ExplainAsync(deployment, question, cancellationToken));
    }

    private static async Task<IResult> ListAsync(
        IDeploymentStore store, TimeProvider time, string? app, string? environment, string? repository, string? state, string? limit, string? before, string? branch, string? triggeredBy, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DeploymentState? wanted = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            wanted = DeploymentStates.Parse(state);
            if (wanted is null)
            {
                errors["state"] = [$"'{Clip(state)}' is not a state; use one of: {string.Join(", ", Enum.GetValues<DeploymentState>().Select(s => s.Name()))}."];
            }
        }

        var count = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"'{Clip(limit)}' is not a limit; use 1 to {MaxLimit} (default {DefaultLimit})."];
        }

        DateTimeOffset? beforeAt = null;
        if (!string.IsNullOrWhiteSpace(before))
        {
            if (DateTimeOffset.TryParse(before, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                beforeAt = at;
            }
            else
            {
                errors["before"] = [$"'{Clip(before)}' is not an instant; use ISO 8601, e.g. 2026-11-27T08:00:00Z."];
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var query = new DeploymentQuery
        {
            App = Blank(app),
            Environment = Blank(environment),
            Repository = Blank(repository),
            State = wanted,
            Branch = Blank(branch),
            TriggeredBy = Blank(triggeredBy),
            Before = beforeAt,
            Limit = count,
        };
        var deployments = await store.ListAsync(query, cancellationToken);
        var now = time.GetUtcNow();
        return Results.Ok(deployments.Select(d => DeploymentView.Of(d, now)).ToList());
    }

    private static async Task<IResult> GetAsync(IDeploymentStore store, TimeProvider time, string id, CancellationToken cancellationToken)
    {
        var (deployment, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (deployment is null)
        {
            return problem!;
        }

        var findings = await store.GetFindingsAsync(deployment.Id, cancellationToken);
        var explanations = await store.GetExplanationsAsync(deployment.Id, cancellationToken);
        return Results.Ok(DeploymentView.Of(deployment, time.GetUtcNow()) with { Findings = findings, Explanations = explanations });
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
