using DeployMind.Application.Jobs;
using DeployMind.Application.Records;

namespace DeployMind.Server.Health;

/// <summary><c>/healthz</c>: the process answers (liveness). <c>/readyz</c>: the records and the job queue answer (readiness).</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).WithTags("health").WithSummary("Liveness: the process answers.");
        endpoints.MapGet("/readyz", ReadyAsync).WithTags("health").WithSummary("Readiness: the deployment records and the job queue answer.");
    }

    private static async Task<IResult> ReadyAsync(IDeploymentStore store, IJobQueue queue, CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>();
        var ready = true;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await store.EnsureReadyAsync(deadline.Token);
            checks["database"] = $"ok ({store.Description})";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            (ready, checks["database"]) = (false, $"unavailable: {ex.Message}");
        }

        try
        {
            await queue.StatsAsync("production", deadline.Token);
            checks["queue"] = "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            (ready, checks["queue"]) = (false, $"unavailable: {ex.Message}");
        }

        return Results.Json(new { status = ready ? "ready" : "not ready", checks }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
