using System.Globalization;
using DeployMind.Application.Records;

namespace DeployMind.Server.Api;

/// <summary><c>GET /api/webhooks/deliveries</c>: the latest GitHub webhook deliveries and what was done with each ("why did my push not deploy?").</summary>
internal static class WebhookDeliveriesEndpoint
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/webhooks/deliveries", ListAsync)
            .WithName("ListWebhookDeliveries")
            .WithTags("webhooks")
            .WithSummary($"Lists the latest webhook deliveries, newest first (limit 1 to {DeploymentEndpoints.MaxLimit}, default {DeploymentEndpoints.DefaultLimit}).")
            .Produces<IReadOnlyList<WebhookDelivery>>()
            .ProducesValidationProblem();

    private static async Task<IResult> ListAsync(IWebhookDeliveries deliveries, string? limit, CancellationToken cancellationToken)
    {
        var count = DeploymentEndpoints.DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > DeploymentEndpoints.MaxLimit))
        {
            return ApiProblems.Invalid("limit", $"'{(limit.Length > 40 ? limit[..40] : limit)}' is not a limit; use 1 to {DeploymentEndpoints.MaxLimit} (default {DeploymentEndpoints.DefaultLimit}).");
        }

        return Results.Ok(await deliveries.ListAsync(count, cancellationToken));
    }
}
