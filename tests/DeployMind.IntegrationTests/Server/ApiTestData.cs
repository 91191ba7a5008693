using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;

namespace DeployMind.IntegrationTests.Server;

/// <summary>Deployments recorded straight in the store, in the states the API tests need, and JSON helpers.</summary>
internal static class ApiTestData
{
    public static async Task<Deployment> RecordAsync(
        IDeploymentStore store, DeploymentState state = DeploymentState.Queued, string app = "shop-api", string environment = "production", Guid? id = null,
        bool withRelease = false, DateTimeOffset? at = null, string? repository = "acme/shop-api")
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var deployment = new Deployment(id ?? Guid.NewGuid(), app, environment, StrategyKind.Rolling, "cli:test", now)
        {
            Repository = repository,
            Branch = "main",
            Commit = "0123456789abcdef0123456789abcdef01234567",
        };
        await store.AddAsync(deployment, CancellationToken.None);
        await AdvanceAsync(store, deployment, state, withRelease, now);
        return deployment;
    }

    /// <summary>Moves <paramref name="deployment"/> along the happy path up to <paramref name="state"/> (or fails it at the build), saving each step.</summary>
    public static async Task AdvanceAsync(IDeploymentStore store, Deployment deployment, DeploymentState state, bool withRelease = false, DateTimeOffset? at = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var path = new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded };
        if (state == DeploymentState.Queued)
        {
            return;
        }

        if (state == DeploymentState.Failed)
        {
            deployment.MoveTo(DeploymentState.Scanning, "scanning", now);
            deployment.MoveTo(DeploymentState.Building, "building", now);
            deployment.Fail(PipelineStage.Build, "the build failed", now);
            await store.SaveAsync(deployment, CancellationToken.None);
            return;
        }

        foreach (var next in path.SkipWhile(s => s <= deployment.State))
        {
            deployment.MoveTo(next, $"entered {next.Name()}", now);
            if (next == DeploymentState.Deploying && withRelease)
            {
                deployment.RecordRelease("20261127-0800-abc", "docker:local", "http://127.0.0.1:8080");
            }

            await store.SaveAsync(deployment, CancellationToken.None);
            if (next == state)
            {
                return;
            }
        }
    }

    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonNode>() ?? throw new InvalidOperationException("The body is JSON null.");

    public static HttpRequestMessage Post(string path, object? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }
}
