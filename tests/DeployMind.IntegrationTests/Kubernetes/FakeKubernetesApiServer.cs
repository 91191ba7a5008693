using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>
/// A Kubernetes API server on 127.0.0.1 (a real Kestrel server, as the official client's own tests use): it keeps the
/// objects it is sent, answers server-side apply (409 on another field manager unless force), merge patches of the scale
/// subresource and strategic patches, create and replace (Secrets validated as the API does, immutable ones refused a
/// change), list with label selectors, delete, pod logs, events and SelfSubjectAccessReviews (whose "no" also answers
/// the requests themselves with 403), and moves Deployments the way the controller would, one step per read: a
/// ReplicaSet per pod template (revisions, the oldest beyond revisionHistoryLimit cleaned up), surge one pod at a time,
/// old pods out after new ones are ready. Images named in <see cref="CrashingImages"/>
/// crash-loop; in <see cref="NeverReadyImages"/> never get ready until ProgressDeadlineExceeded; in
/// <see cref="RestartingImages"/> get ready and then restart.
/// </summary>
public sealed partial class FakeKubernetesApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stored> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ReplicaSet>> _replicaSets = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _events = [];
    private readonly List<string> _calls = [];
    private int _uid;
    private bool _stopped;

    private FakeKubernetesApiServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public HashSet<string> CrashingImages { get; } = new(StringComparer.Ordinal);

    public HashSet<string> NeverReadyImages { get; } = new(StringComparer.Ordinal);

    public HashSet<string> RestartingImages { get; } = new(StringComparer.Ordinal);

    /// <summary>"verb resource[/subresource]" the identity may not do (SelfSubjectAccessReview answers).</summary>
    public HashSet<string> Denied { get; } = new(StringComparer.Ordinal);

    /// <summary>Log lines of the pods of an image (default: one "listening" line).</summary>
    public Dictionary<string, string[]> Logs { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads of a never-ready Deployment after which its Progressing condition says ProgressDeadlineExceeded.</summary>
    public int ReadsUntilDeadlineExceeded { get; set; } = 4;

    /// <summary>Every request, "METHOD path[?selector] (patch type, fieldManager, force)".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public static async Task<FakeKubernetesApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeKubernetesApiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>Writes a kubeconfig with one context, "test", pointing at this server; returns its path.</summary>
    public string WriteKubeconfig(string folder)
    {
        var path = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {Url.ToString().TrimEnd('/')}
            users:
            - name: tester
              user:
                token: test-token
            contexts:
            - name: test
              context:
                cluster: fake
                user: tester
                namespace: shop
            current-context: test
            """);
        return path;
    }

    /// <summary>
    /// The calls with polling collapsed: every write (PATCH, POST, DELETE) in order; each run of reads between two writes
    /// as its distinct reads in first-seen order (how many polls a rollout takes depends on timing, what is read does not).
    /// </summary>
    public IReadOnlyList<string> CallSequence()
    {
        var result = new List<string>();
        var reads = new List<string>();
        foreach (var call in Calls)
        {
            if (call.StartsWith("GET ", StringComparison.Ordinal))
            {
                if (!reads.Contains(call))
                {
                    reads.Add(call);
                    result.Add(call);
                }

                continue;
            }

            reads.Clear();
            result.Add(call);
        }

        return result;
    }

    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    /// <summary>A stored object (a copy), or null.</summary>
    public JsonObject? Get(string resource, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(resource, name), out var stored) ? (JsonObject)stored.Body.DeepClone() : null;
        }
    }

    /// <summary>The field manager that last applied an object.</summary>
    public string? ManagerOf(string resource, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(resource, name), out var stored) ? stored.Manager : null;
        }
    }

    /// <summary>Names of the stored objects of a resource.</summary>
    public IReadOnlyList<string> Names(string resource)
    {
        lock (_gate)
        {
            return [.. _objects.Values.Where(o => o.Resource == resource).Select(o => o.Name).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The images of a Deployment's pods, one per pod.</summary>
    public IReadOnlyList<string> PodImages(string deployment)
    {
        lock (_gate)
        {
            return [.. (_replicaSets.GetValueOrDefault(deployment) ?? []).SelectMany(r => r.Pods.Select(_ => r.Image)).Order(StringComparer.Ordinal)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Key(string resource, string name) => resource + "/" + name;

    private sealed class Stored(string resource, string name, JsonObject body, string manager)
    {
        public string Resource { get; } = resource;

        public string Name { get; } = name;

        public JsonObject Body { get; set; } = body;

        public string Manager { get; set; } = manager;

        /// <summary>Reads since the template last changed (for ProgressDeadlineExceeded).</summary>
        public int ReadsSinceChange { get; set; }
    }

    private sealed class ReplicaSet(string name, long revision, string hash, JsonObject template, string image)
    {
        public string Name { get; } = name;

        public long Revision { get; set; } = revision;

        public string Hash { get; } = hash;

        public JsonObject Template { get; } = template;

        public string Image { get; } = image;

        public List<Pod> Pods { get; } = [];

        public int NextPod { get; set; }
    }

    private sealed class Pod(string name)
    {
        public string Name { get; } = name;

        public bool Ready { get; set; }

        public int Restarts { get; set; }

        public string? Waiting { get; set; }
    }

    private static long Num(JsonNode? node) => node is null ? 0 : long.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static string Text(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static JsonObject List(string kind, IEnumerable<JsonNode> items) => new()
    {
        ["kind"] = kind,
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
        ["items"] = new JsonArray([.. items]),
    };

    private static bool Matches(JsonNode? labels, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split('=', 2);
            if (labels?[parts[0]]?.GetValue<string>() != parts[1])
            {
                return false;
            }
        }

        return true;
    }

    private static JsonObject Parse(string text) => JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
}
