using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A loopback GitHub REST API (a real Kestrel server on 127.0.0.1, free port) for the calls DeployMind's reporter makes:
/// commit statuses, issue comments (list with pagination, create, edit), deployments (create, list) and deployment
/// statuses. It keeps state, records every request, requires an <c>Authorization</c> header (401 without; with
/// <see cref="ExpectedToken"/> set, 401 for another token), and can be scripted to fail the next requests
/// (<see cref="FailNext"/>). Paths are served with and without the <c>/api/v3</c> prefix Octokit adds for hosts other
/// than api.github.com. Point <c>github.apiUrl</c> at <see cref="BaseUrl"/>.
/// </summary>
public sealed partial class FakeGitHubApi : IAsyncDisposable
{
    private const string RateLimitDocs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";

    private readonly Lock _gate = new();
    private readonly List<FakeGitHubRequest> _requests = [];
    private readonly Dictionary<(string Repo, int Issue), List<FakeGitHubComment>> _comments = [];
    private readonly Dictionary<(string Repo, string Sha), List<FakeGitHubStatus>> _statuses = [];
    private readonly Dictionary<string, List<FakeGitHubDeployment>> _deployments = [];
    private readonly Queue<(FakeGitHubFailure Failure, int Seconds, string? PathContains)> _failures = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId = 1000;
    private WebApplication? _app;

    private FakeGitHubApi()
    {
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/ — the value for <c>github.apiUrl</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>When set, only <c>Authorization: token &lt;ExpectedToken&gt;</c> (or <c>Bearer</c>) is accepted.</summary>
    public string? ExpectedToken { get; set; }

    /// <summary>When true, error answers quote the request's Authorization header in their message (to test that clients redact it).</summary>
    public bool EchoAuthorizationInErrors { get; set; }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<FakeGitHubRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a fake on a free loopback port.</summary>
    public static async Task<FakeGitHubApi> StartAsync(CancellationToken cancellationToken = default)
    {
        var fake = new FakeGitHubApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        fake._app = app;
        return fake;
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>The comments on issue/pull request <paramref name="issue"/>, oldest first.</summary>
    public IReadOnlyList<FakeGitHubComment> Comments(string owner, string repo, int issue)
    {
        lock (_gate)
        {
            return _comments.TryGetValue((Key(owner, repo), issue), out var list) ? [.. list] : [];
        }
    }

    /// <summary>The statuses created on commit <paramref name="sha"/>, oldest first.</summary>
    public IReadOnlyList<FakeGitHubStatus> Statuses(string owner, string repo, string sha)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue((Key(owner, repo), sha), out var list) ? [.. list] : [];
        }
    }

    /// <summary>The repository's deployments, oldest first, each with its statuses.</summary>
    public IReadOnlyList<FakeGitHubDeployment> Deployments(string owner, string repo)
    {
        lock (_gate)
        {
            return _deployments.TryGetValue(Key(owner, repo), out var list) ? [.. list] : [];
        }
    }

    /// <summary>Adds a comment as someone else would have written it.</summary>
    public FakeGitHubComment AddComment(string owner, string repo, int issue, string body)
    {
        lock (_gate)
        {
            return AddCommentLocked(Key(owner, repo), issue, body);
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> authorised requests (whose path contains <paramref name="pathContains"/>,
    /// when given) with <paramref name="failure"/>; <paramref name="seconds"/> is the retry-after or reset distance.
    /// </summary>
    public void FailNext(int count, FakeGitHubFailure failure, int seconds = 1, string? pathContains = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue((failure, seconds, pathContains));
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the requests received (checked on each request).</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>; the message lists the requests.</exception>
    public async Task<IReadOnlyList<FakeGitHubRequest>> WaitForRequestsAsync(Func<IReadOnlyList<FakeGitHubRequest>, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            IReadOnlyList<FakeGitHubRequest> requests;
            lock (_gate)
            {
                changed = _changed.Task;
                requests = [.. _requests];
            }

            if (condition(requests))
            {
                return requests;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The fake GitHub API did not see the expected requests within {timeout}; it saw: {string.Join("; ", requests)}");
            }
        }
    }

    // "token <t>" or "Bearer <t>" (GitHub accepts either scheme, in any case).
    private static bool IsToken(string authorization, string expected)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        return space > 0
            && authorization[..space].ToLowerInvariant() is "token" or "bearer"
            && string.Equals(authorization[(space + 1)..].Trim(), expected, StringComparison.Ordinal);
    }

    private static string Key(string owner, string repo) => $"{owner}/{repo}".ToLowerInvariant();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/api/v3/", StringComparison.Ordinal))
        {
            path = path["/api/v3".Length..];
        }

        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var (status, responseHeaders, json) = Answer(request.Method, path, request.Query, body, headers.GetValueOrDefault("Authorization"));
        lock (_gate)
        {
            _requests.Add(new FakeGitHubRequest(DateTimeOffset.UtcNow, request.Method, path, request.QueryString.Value ?? string.Empty, body, headers, status));
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        context.Response.StatusCode = status;
        foreach (var (name, value) in responseHeaders)
        {
            context.Response.Headers[name] = value;
        }

        if (json is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
        }
    }

    private (int Status, Dictionary<string, string> Headers, JsonNode? Json) Answer(string method, string path, IQueryCollection query, string body, string? authorization)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["x-ratelimit-limit"] = "5000",
            ["x-ratelimit-remaining"] = "4999",
            ["x-ratelimit-reset"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return (401, headers, Error("Requires authentication", null));
        }

        if (ExpectedToken is not null && !IsToken(authorization, ExpectedToken))
        {
            return (401, headers, Error("Bad credentials", authorization));
        }

        lock (_gate)
        {
            if (_failures.TryPeek(out var failure) && (failure.PathContains is null || path.Contains(failure.PathContains, StringComparison.Ordinal)))
            {
                _failures.Dequeue();
                return Fail(failure.Failure, failure.Seconds, headers, authorization);
            }

            return Route(method, path, query, body, headers);
        }
    }

    private (int, Dictionary<string, string>, JsonNode?) Fail(FakeGitHubFailure failure, int seconds, Dictionary<string, string> headers, string authorization)
    {
        switch (failure)
        {
            case FakeGitHubFailure.RateLimit403:
                var reset = DateTimeOffset.UtcNow.AddSeconds(seconds);
                var resetSeconds = reset.ToUnixTimeSeconds() + (reset.Millisecond > 0 ? 1 : 0);
                headers["x-ratelimit-remaining"] = "0";
                headers["x-ratelimit-used"] = "5000";
                headers["x-ratelimit-reset"] = resetSeconds.ToString(CultureInfo.InvariantCulture);
                return (403, headers, Error("API rate limit exceeded for user ID 1.", authorization, RateLimitDocs));
            case FakeGitHubFailure.TooManyRequests429:
                headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
                return (429, headers, Error("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", authorization, RateLimitDocs));
            default:
                return (500, headers, Error("Server Error", authorization));
        }
    }

    private JsonObject Error(string message, string? authorization, string? documentation = null)
    {
        var text = EchoAuthorizationInErrors && authorization is not null ? $"{message} (request sent Authorization: {authorization})" : message;
        return new JsonObject { ["message"] = text, ["documentation_url"] = documentation ?? "https://docs.github.com/rest" };
    }

    // Called under _gate.
    private (int, Dictionary<string, string>, JsonNode?) Route(string method, string path, IQueryCollection query, string body, Dictionary<string, string> headers)
    {
        if (StatusesPath().Match(path) is { Success: true } statuses && method == "POST")
        {
            var input = Parse(body);
            var repo = Key(statuses.Groups["o"].Value, statuses.Groups["r"].Value);
            var sha = statuses.Groups["sha"].Value;
            var status = new FakeGitHubStatus(++_nextId, sha, Text(input, "state") ?? "pending", Text(input, "context") ?? "default", Text(input, "description"), Text(input, "target_url"));
            ListFor(_statuses, (repo, sha)).Add(status);
            return (201, headers, new JsonObject
            {
                ["id"] = status.Id,
                ["url"] = $"{BaseUrl}repos/{repo}/statuses/{sha}",
                ["state"] = status.State,
                ["description"] = status.Description,
                ["target_url"] = status.TargetUrl,
                ["context"] = status.Context,
                ["created_at"] = Now(),
                ["updated_at"] = Now(),
            });
        }

        if (IssueCommentsPath().Match(path) is { Success: true } comments)
        {
            var repo = Key(comments.Groups["o"].Value, comments.Groups["r"].Value);
            var issue = int.Parse(comments.Groups["n"].Value, CultureInfo.InvariantCulture);
            if (method == "GET")
            {
                var all = _comments.TryGetValue((repo, issue), out var list) ? list : [];
                return Page(path, query, all.Select(c => CommentJson(repo, c)).ToList(), headers);
            }

            if (method == "POST")
            {
                var comment = AddCommentLocked(repo, issue, Text(Parse(body), "body") ?? string.Empty);
                return (201, headers, CommentJson(repo, comment));
            }
        }

        if (CommentPath().Match(path) is { Success: true } edit && method == "PATCH")
        {
            var repo = Key(edit.Groups["o"].Value, edit.Groups["r"].Value);
            var id = long.Parse(edit.Groups["id"].Value, CultureInfo.InvariantCulture);
            foreach (var list in _comments.Where(c => c.Key.Repo == repo).Select(c => c.Value))
            {
                var index = list.FindIndex(c => c.Id == id);
                if (index >= 0)
                {
                    list[index] = list[index] with { Body = Text(Parse(body), "body") ?? list[index].Body, UpdatedAt = DateTimeOffset.UtcNow };
                    return (200, headers, CommentJson(repo, list[index]));
                }
            }

            return (404, headers, Error("Not Found", null));
        }

        if (DeploymentsPath().Match(path) is { Success: true } deployments)
        {
            var repo = Key(deployments.Groups["o"].Value, deployments.Groups["r"].Value);
            var list = ListFor(_deployments, repo);
            if (method == "GET")
            {
                var environment = query["environment"].ToString();
                var matching = list.Where(d => environment.Length == 0 || d.Environment == environment).Reverse().Select(d => DeploymentJson(repo, d)).ToList();
                return Page(path, query, matching, headers);
            }

            if (method == "POST")
            {
                var input = Parse(body);
                var reference = Text(input, "ref");
                if (string.IsNullOrEmpty(reference))
                {
                    return (422, headers, Error("Invalid request: ref is missing.", null));
                }

                var deployment = new FakeGitHubDeployment(
                    ++_nextId,
                    reference,
                    Text(input, "environment") ?? "production",
                    input?["transient_environment"]?.GetValue<bool>(),
                    input?["auto_merge"]?.GetValue<bool>(),
                    input?["required_contexts"] is JsonArray contexts ? contexts.Select(c => c?.GetValue<string>() ?? string.Empty).ToList() : null,
                    Text(input, "description"),
                    []);
                list.Add(deployment);
                return (201, headers, DeploymentJson(repo, deployment));
            }
        }

        if (DeploymentStatusesPath().Match(path) is { Success: true } deploymentStatuses && method == "POST")
        {
            var repo = Key(deploymentStatuses.Groups["o"].Value, deploymentStatuses.Groups["r"].Value);
            var id = long.Parse(deploymentStatuses.Groups["id"].Value, CultureInfo.InvariantCulture);
            var list = ListFor(_deployments, repo);
            var index = list.FindIndex(d => d.Id == id);
            if (index < 0)
            {
                return (404, headers, Error("Not Found", null));
            }

            var input = Parse(body);
            var status = new FakeGitHubDeploymentStatus(++_nextId, Text(input, "state") ?? "pending", Text(input, "description"), Text(input, "environment_url"), Text(input, "log_url"));
            list[index] = list[index] with { Statuses = [.. list[index].Statuses, status] };
            return (201, headers, new JsonObject
            {
                ["id"] = status.Id,
                ["url"] = $"{BaseUrl}repos/{repo}/deployments/{id}/statuses/{status.Id}",
                ["state"] = status.State,
                ["description"] = status.Description,
                ["environment"] = list[index].Environment,
                ["environment_url"] = status.EnvironmentUrl,
                ["log_url"] = status.LogUrl,
                ["target_url"] = status.LogUrl,
                ["created_at"] = Now(),
                ["updated_at"] = Now(),
                ["deployment_url"] = $"{BaseUrl}repos/{repo}/deployments/{id}",
                ["repository_url"] = $"{BaseUrl}repos/{repo}",
            });
        }

        return (404, headers, Error("Not Found", null));
    }

    // GitHub's pagination: per_page (default 30, at most 100), page, and a Link header with rel="next".
    private (int, Dictionary<string, string>, JsonNode?) Page(string path, IQueryCollection query, List<JsonObject> items, Dictionary<string, string> headers)
    {
        var perPage = int.TryParse(query["per_page"], CultureInfo.InvariantCulture, out var size) ? Math.Clamp(size, 1, 100) : 30;
        var page = int.TryParse(query["page"], CultureInfo.InvariantCulture, out var number) ? Math.Max(1, number) : 1;
        var slice = items.Skip((page - 1) * perPage).Take(perPage).ToArray();
        if (page * perPage < items.Count)
        {
            headers["Link"] = $"<{BaseUrl}{path.TrimStart('/')}?per_page={perPage}&page={page + 1}>; rel=\"next\"";
        }

        return (200, headers, new JsonArray(slice.Cast<JsonNode>().ToArray()));
    }

    private FakeGitHubComment AddCommentLocked(string repo, int issue, string body)
    {
        var now = DateTimeOffset.UtcNow;
        var comment = new FakeGitHubComment(++_nextId, issue, body, now, now);
        ListFor(_comments, (repo, issue)).Add(comment);
        return comment;
    }

    private JsonObject CommentJson(string repo, FakeGitHubComment comment) => new()
    {
        ["id"] = comment.Id,
        ["node_id"] = $"IC_{comment.Id}",
        ["url"] = $"{BaseUrl}repos/{repo}/issues/comments/{comment.Id}",
        ["html_url"] = $"https://github.example.com/{repo}/pull/{comment.Issue}#issuecomment-{comment.Id}",
        ["body"] = comment.Body,
        ["user"] = new JsonObject { ["login"] = "deploymind-bot", ["id"] = 1, ["type"] = "Bot" },
        ["created_at"] = comment.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["updated_at"] = comment.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["author_association"] = "NONE",
    };

    private JsonObject DeploymentJson(string repo, FakeGitHubDeployment deployment) => new()
    {
        ["id"] = deployment.Id,
        ["node_id"] = $"DE_{deployment.Id}",
        ["url"] = $"{BaseUrl}repos/{repo}/deployments/{deployment.Id}",
        ["sha"] = deployment.Ref,
        ["ref"] = deployment.Ref,
        ["task"] = "deploy",
        ["payload"] = new JsonObject(),
        ["environment"] = deployment.Environment,
        ["description"] = deployment.Description,
        ["transient_environment"] = deployment.TransientEnvironment ?? false,
        ["production_environment"] = false,
        ["created_at"] = Now(),
        ["updated_at"] = Now(),
        ["statuses_url"] = $"{BaseUrl}repos/{repo}/deployments/{deployment.Id}/statuses",
        ["repository_url"] = $"{BaseUrl}repos/{repo}",
    };

    private static List<TValue> ListFor<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        return list;
    }

    private static JsonNode? Parse(string body)
    {
        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node, string name) => node?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    [GeneratedRegex("^/repos/(?<o>[^/]+)/(?<r>[^/]+)/statuses/(?<sha>[^/]+)$")]
    private static partial Regex StatusesPath();

    [GeneratedRegex("^/repos/(?<o>[^/]+)/(?<r>[^/]+)/issues/(?<n>[0-9]+)/comments$")]
    private static partial Regex IssueCommentsPath();

    [GeneratedRegex("^/repos/(?<o>[^/]+)/(?<r>[^/]+)/issues/comments/(?<id>[0-9]+)$")]
    private static partial Regex CommentPath();

    [GeneratedRegex("^/repos/(?<o>[^/]+)/(?<r>[^/]+)/deployments$")]
    private static partial Regex DeploymentsPath();

    [GeneratedRegex("^/repos/(?<o>[^/]+)/(?<r>[^/]+)/deployments/(?<id>[0-9]+)/statuses$")]
    private static partial Regex DeploymentStatusesPath();
}
