using System.Globalization;
using System.Text.Json;
using DeployMind.Domain;

namespace DeployMind.Application.Webhooks;

/// <summary>What a GitHub webhook delivery says, as far as deployments care. Parsed only after its signature was checked.</summary>
/// <param name="Repository">owner/name.</param>
/// <param name="CloneUrl">The repository's clone URL.</param>
/// <param name="DefaultBranch">The repository's default branch.</param>
/// <param name="Sender">Who caused it (a GitHub login).</param>
internal abstract record GitHubEvent(string Repository, string? CloneUrl, string? DefaultBranch, string Sender);

/// <summary><c>ping</c>: sent when the webhook is created.</summary>
internal sealed record PingEvent(string Repository, string? CloneUrl, string? DefaultBranch, string Sender, string? Zen)
    : GitHubEvent(Repository, CloneUrl, DefaultBranch, Sender);

/// <summary><c>push</c>: <c>Ref</c> is refs/heads/main or refs/tags/v1; <c>After</c> the pushed commit (all zeros for a deletion).</summary>
internal sealed record PushEvent(string Repository, string? CloneUrl, string? DefaultBranch, string Sender, string Ref, string After, bool Deleted)
    : GitHubEvent(Repository, CloneUrl, DefaultBranch, Sender);

/// <summary><c>pull_request</c>: <c>HeadRepository</c> is the owner/name of the head's repository (another one for a fork).</summary>
internal sealed record PullRequestEvent(
    string Repository, string? CloneUrl, string? DefaultBranch, string Sender, string Action, int Number, string HeadRef, string HeadSha, string? HeadRepository, string? HeadCloneUrl)
    : GitHubEvent(Repository, CloneUrl, DefaultBranch, Sender)
{
    /// <summary>The head branch lives in another repository (a fork).</summary>
    public bool FromFork => HeadRepository is not null && !string.Equals(HeadRepository, Repository, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Any other event: acknowledged, nothing done.</summary>
internal sealed record OtherEvent(string Name, string Repository, string Sender) : GitHubEvent(Repository, null, null, Sender);

/// <summary>A delivery whose body is not the JSON its event should have (the answer is 400).</summary>
public sealed class WebhookPayloadException(string message) : InvalidInputException(message);

/// <summary>Reads deliveries' bodies defensively: any JSON may arrive, only the fields used are required.</summary>
internal static class GitHubEvents
{
    /// <summary>The event in <paramref name="body"/>.</summary>
    /// <exception cref="WebhookPayloadException">Not JSON, or a field the event needs is missing or has the wrong type.</exception>
    public static GitHubEvent Parse(string eventName, ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new WebhookPayloadException($"The body is not JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new WebhookPayloadException("The body is not a JSON object.");
            }

            var repository = root.TryGetProperty("repository", out var repo) && repo.ValueKind == JsonValueKind.Object ? repo : default;
            var fullName = repository.ValueKind == JsonValueKind.Object ? OptionalString(repository, "full_name") : null;
            var cloneUrl = repository.ValueKind == JsonValueKind.Object ? OptionalString(repository, "clone_url") : null;
            var defaultBranch = repository.ValueKind == JsonValueKind.Object ? OptionalString(repository, "default_branch") : null;
            var sender = root.TryGetProperty("sender", out var s) && s.ValueKind == JsonValueKind.Object ? OptionalString(s, "login") ?? "unknown" : "unknown";
            switch (eventName)
            {
                case "ping":
                    return new PingEvent(fullName ?? string.Empty, cloneUrl, defaultBranch, sender, OptionalString(root, "zen"));
                case "push":
                    return new PushEvent(
                        RequiredName(fullName), cloneUrl, defaultBranch, sender, RequiredString(root, "ref", "ref"), RequiredString(root, "after", "after"),
                        root.TryGetProperty("deleted", out var deleted) && deleted.ValueKind == JsonValueKind.True);
                case "pull_request":
                    var pr = root.TryGetProperty("pull_request", out var p) && p.ValueKind == JsonValueKind.Object
                        ? p : throw new WebhookPayloadException("pull_request: missing or not an object.");
                    var head = pr.TryGetProperty("head", out var h) && h.ValueKind == JsonValueKind.Object
                        ? h : throw new WebhookPayloadException("pull_request.head: missing or not an object.");
                    var headRepo = head.TryGetProperty("repo", out var hr) && hr.ValueKind == JsonValueKind.Object ? hr : default;
                    var number = root.TryGetProperty("number", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var value) && value > 0
                        ? value : throw new WebhookPayloadException("number: missing or not a positive integer.");
                    return new PullRequestEvent(
                        RequiredName(fullName), cloneUrl, defaultBranch, sender, RequiredString(root, "action", "action"), number,
                        RequiredString(head, "ref", "pull_request.head.ref"), RequiredString(head, "sha", "pull_request.head.sha"),
                        headRepo.ValueKind == JsonValueKind.Object ? OptionalString(headRepo, "full_name") : null,
                        headRepo.ValueKind == JsonValueKind.Object ? OptionalString(headRepo, "clone_url") : null);
                default:
                    return new OtherEvent(eventName, fullName ?? string.Empty, sender);
            }
        }
    }

    /// <summary>A commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.</summary>
    public static bool IsCommit(string text) =>
        text is { Length: 40 or 64 } && text.All(char.IsAsciiHexDigit);

    /// <summary>A commit of zeros: what GitHub sends as the "after" of a deletion.</summary>
    public static bool IsNullCommit(string text) => text.Length > 0 && text.All(c => c == '0');

    private static string RequiredName(string? fullName) =>
        fullName is { Length: > 2 } name && name.Count(c => c == '/') == 1 && !name.StartsWith('/') && !name.EndsWith('/')
            ? name
            : throw new WebhookPayloadException("repository.full_name: missing or not owner/name.");

    private static string RequiredString(JsonElement element, string property, string path) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new WebhookPayloadException(string.Create(CultureInfo.InvariantCulture, $"{path}: missing or not a string."));

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
