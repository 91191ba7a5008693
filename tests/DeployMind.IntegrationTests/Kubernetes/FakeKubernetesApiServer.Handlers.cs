using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployMind.IntegrationTests.Kubernetes;

public sealed partial class FakeKubernetesApiServer
{
    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await ServeAsync(context);
        }
#pragma warning disable CA1031 // A bug of the fake answers 500 with its message, so the failing test shows it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await WriteAsync(context, 500, Status(500, "InternalError", "fake server: " + ex));
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value!.Trim('/').Split('/');
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync();
        }

        var query = request.Query;
        var patchType = request.ContentType switch
        {
            null => null,
            var t when t.StartsWith("application/apply-patch", StringComparison.Ordinal) => "apply",
            var t when t.StartsWith("application/merge-patch", StringComparison.Ordinal) => "merge",
            var t when t.StartsWith("application/strategic-merge-patch", StringComparison.Ordinal) => "strategic",
            var t when t.StartsWith("application/json-patch", StringComparison.Ordinal) => "json",
            _ => null,
        };

        // "/apis/apps/v1/namespaces/shop/deployments/x/scale" → resource "deployments", name "x", sub "scale".
        var at = Array.IndexOf(segments, "namespaces");
        var resource = at >= 0 && segments.Length > at + 2 ? segments[at + 2] : segments[^1];
        var name = at >= 0 && segments.Length > at + 3 ? segments[at + 3] : null;
        var sub = at >= 0 && segments.Length > at + 4 ? segments[at + 4] : null;
        var selector = query["labelSelector"].ToString();
        var fields = query["fieldSelector"].ToString();
        var call = $"{request.Method} {resource}{(name is null ? string.Empty : "/" + name)}{(sub is null ? string.Empty : "/" + sub)}"
            + (selector.Length > 0 ? $"?{selector}" : string.Empty) + (fields.Length > 0 ? $"?{fields}" : string.Empty)
            + (patchType is null ? string.Empty : $" ({patchType}{(query.ContainsKey("fieldManager") ? ", " + query["fieldManager"] : string.Empty)}{(query["force"] == "true" ? ", force" : string.Empty)})");
        if (resource == "selfsubjectaccessreviews")
        {
            var attributes = Parse(body)["spec"]?["resourceAttributes"];
            var verb = attributes?["verb"]?.GetValue<string>();
            var what = attributes?["resource"]?.GetValue<string>() + (attributes?["subresource"]?.GetValue<string>() is { Length: > 0 } s ? "/" + s : string.Empty);
            call += $" {verb} {what}";
        }

        lock (_gate)
        {
            _calls.Add(call);
        }

        if (request.Path.Value!.TrimEnd('/') == "/version")
        {
            await WriteAsync(context, 200, new JsonObject { ["major"] = "1", ["minor"] = "31", ["gitVersion"] = "v1.31.2", ["platform"] = "linux/amd64" });
            return;
        }

        // RBAC: what the identity may not do is refused (403) as SelfSubjectAccessReviews say.
        if (resource != "selfsubjectaccessreviews" && Denied.Contains($"{Verb(request.Method, name)} {resource}{(sub is null ? string.Empty : "/" + sub)}"))
        {
            var verb = Verb(request.Method, name);
            await WriteAsync(context, 403, Status(403, "Forbidden", $"{resource} {(name is null ? string.Empty : $"\"{name}\" ")}is forbidden: User \"tester\" cannot {verb} resource \"{resource}\" in API group \"\" in the namespace \"shop\""));
            return;
        }

        var (status, answer) = Answer(request.Method, resource, name, sub, selector, fields, body, patchType, query["fieldManager"].ToString(), query["force"] == "true", call);
        if (answer is JsonValue text && text.TryGetValue<string>(out var plain))
        {
            // Pod logs are plain text.
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(plain);
            return;
        }

        await WriteAsync(context, status, answer);
    }

    private (int Status, JsonNode Body) Answer(
        string method, string resource, string? name, string? sub, string selector, string fields, string body, string? patchType, string manager, bool force, string call)
    {
        lock (_gate)
        {
            switch (resource, name, sub, method)
            {
                case ("selfsubjectaccessreviews", null, null, "POST"):
                    var review = Parse(body);
                    var allowed = !Denied.Contains(call[(call.IndexOf(' ', "POST ".Length) + 1)..]);
                    review["status"] = new JsonObject { ["allowed"] = allowed };
                    return (201, review);
                case ("pods", null, null, "GET"):
                    return (200, List("PodList", PodObjects(selector)));
                case ("pods", { } pod, "log", "GET"):
                    return LogOf(pod);
                case ("events", null, null, "GET"):
                    var involved = fields.StartsWith("involvedObject.name=", StringComparison.Ordinal) ? fields["involvedObject.name=".Length..] : null;
                    return (200, List("EventList", _events.Where(e => involved is null || e["involvedObject"]?["name"]?.GetValue<string>() == involved).Select(e => e.DeepClone())));
                case ("replicasets", null, null, "GET"):
                    return (200, List("ReplicaSetList", ReplicaSetObjects(selector)));
                case (_, { } n, null, "GET"):
                    if (!_objects.TryGetValue(Key(resource, n), out var stored))
                    {
                        return (404, Status(404, "NotFound", $"{resource} \"{n}\" not found"));
                    }

                    if (resource == "deployments")
                    {
                        Step(stored);
                    }

                    return (200, stored.Body.DeepClone());
                case (_, null, null, "GET"):
                    return (200, List(ListKind(resource), _objects.Values.Where(o => o.Resource == resource && Matches(o.Body["metadata"]?["labels"], selector)).OrderBy(o => o.Name, StringComparer.Ordinal).Select(o => o.Body.DeepClone())));
                case (_, null, null, "POST"):
                    return Create(resource, Parse(body), manager);
                case (_, { } n, null, "PUT"):
                    return Replace(resource, n, Parse(body));
                case (_, { } n, null, "DELETE"):
                    if (!_objects.Remove(Key(resource, n), out var deleted))
                    {
                        return (404, Status(404, "NotFound", $"{resource} \"{n}\" not found"));
                    }

                    if (resource == "services")
                    {
                        // As the API documents it: a deleted Service is answered with the object, the others with a Status.
                        return (200, deleted.Body.DeepClone());
                    }

                    if (resource == "deployments")
                    {
                        // The garbage collector takes a Deployment's ReplicaSets and pods with it.
                        _replicaSets.Remove(n);
                    }

                    return (200, Status(200, "Success", "deleted"));
                case (_, { } n, null, "PATCH") when patchType == "apply":
                    return Apply(resource, n, Parse(body), manager, force);
                case ("deployments", { } n, "scale", "PATCH"):
                    return Scale(n, Parse(body));
                case ("deployments", { } n, null, "PATCH") when patchType == "strategic":
                    return Restart(n, Parse(body));
                default:
                    return (404, Status(404, "NotFound", $"the fake server does not serve {method} {resource}"));
            }
        }
    }

    private (int, JsonNode) Apply(string resource, string name, JsonObject body, string manager, bool force)
    {
        if (string.IsNullOrEmpty(manager))
        {
            return (400, Status(400, "BadRequest", "PATCH is not supported for apply-patch without a fieldManager"));
        }

        if (_objects.TryGetValue(Key(resource, name), out var existing))
        {
            if (existing.Manager != manager && !force)
            {
                return (409, Status(409, "Conflict", $"Apply failed with 1 conflict: conflict with \"{existing.Manager}\": .spec"));
            }

            var previous = existing.Body;
            var merged = (JsonObject)body.DeepClone();
            merged["metadata"]!["uid"] = previous["metadata"]!["uid"]!.DeepClone();
            merged["metadata"]!["creationTimestamp"] = previous["metadata"]!["creationTimestamp"]!.DeepClone();
            if (resource == "deployments")
            {
                merged["spec"]!["replicas"] ??= previous["spec"]!["replicas"]!.DeepClone();
                var changed = Text(merged["spec"]) != Text(previous["spec"]);
                var generation = Num(previous["metadata"]!["generation"]);
                merged["metadata"]!["generation"] = changed ? generation + 1 : generation;
                merged["metadata"]!["annotations"] = previous["metadata"]!["annotations"]?.DeepClone();
                merged["status"] = previous["status"]?.DeepClone();
                existing.ReadsSinceChange = changed ? 0 : existing.ReadsSinceChange;
            }

            existing.Body = merged;
            existing.Manager = manager;
            return (200, merged.DeepClone());
        }

        var created = (JsonObject)body.DeepClone();
        created["metadata"]!["uid"] = $"uid-{++_uid}";
        created["metadata"]!["creationTimestamp"] = Now();
        if (resource == "deployments")
        {
            created["spec"]!["replicas"] ??= 1;
            created["metadata"]!["generation"] = 1L;
            created["status"] = new JsonObject { ["observedGeneration"] = 0 };
            _replicaSets[name] = [];
        }

        _objects[Key(resource, name)] = new Stored(resource, name, created, manager);
        return (201, created.DeepClone());
    }

    private (int, JsonNode) Scale(string name, JsonObject body)
    {
        if (!_objects.TryGetValue(Key("deployments", name), out var stored))
        {
            return (404, Status(404, "NotFound", $"deployments.apps \"{name}\" not found"));
        }

        var replicas = (int)Num(body["spec"]!["replicas"]);
        stored.Body["spec"]!["replicas"] = replicas;
        if (replicas == 0)
        {
            // Scaling to zero: the pods terminate (the real controller does it within moments of the change).
            _replicaSets[name].ForEach(r => r.Pods.Clear());
        }

        stored.Body["metadata"]!["generation"] = Num(stored.Body["metadata"]!["generation"]) + 1;
        return (200, new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = stored.Body["metadata"]!["namespace"]?.DeepClone() },
            ["spec"] = new JsonObject { ["replicas"] = replicas },
            ["status"] = new JsonObject { ["replicas"] = replicas },
        });
    }

    private (int, JsonNode) Restart(string name, JsonObject body)
    {
        if (!_objects.TryGetValue(Key("deployments", name), out var stored))
        {
            return (404, Status(404, "NotFound", $"deployments.apps \"{name}\" not found"));
        }

        var annotations = stored.Body["spec"]!["template"]!["metadata"]!.AsObject()["annotations"] as JsonObject;
        if (annotations is null)
        {
            annotations = [];
            stored.Body["spec"]!["template"]!["metadata"]!["annotations"] = annotations;
        }

        foreach (var (key, value) in body["spec"]!["template"]!["metadata"]!["annotations"]!.AsObject())
        {
            annotations[key] = value?.DeepClone();
        }

        stored.Body["metadata"]!["generation"] = Num(stored.Body["metadata"]!["generation"]) + 1;
        stored.ReadsSinceChange = 0;
        return (200, stored.Body.DeepClone());
    }

    private (int, JsonNode) LogOf(string pod)
    {
        foreach (var replicaSet in _replicaSets.Values.SelectMany(r => r))
        {
            var found = replicaSet.Pods.FirstOrDefault(p => p.Name == pod);
            if (found is not null)
            {
                var lines = Logs.TryGetValue(replicaSet.Image, out var configured) ? configured
                    : CrashingImages.Contains(replicaSet.Image) ? ["starting", "panic: cannot connect to the database"]
                    : ["listening on :8080"];
                return (200, JsonValue.Create(string.Join('\n', lines) + "\n")!);
            }
        }

        return (404, Status(404, "NotFound", $"pods \"{pod}\" not found"));
    }

    private void Event(string kind, string name, string type, string reason, string message) => _events.Add(new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = $"{name}.{_events.Count}" },
        ["involvedObject"] = new JsonObject { ["kind"] = kind, ["name"] = name },
        ["type"] = type,
        ["reason"] = reason,
        ["message"] = message,
        ["count"] = 1,
        ["lastTimestamp"] = Now(),
    });

    private static string Revision(long number) => number.ToString(CultureInfo.InvariantCulture);

    /// <summary>The RBAC verb of a request: get and list are both GETs, one of an object, one of a collection.</summary>
    private static string Verb(string method, string? name) => method switch
    {
        "GET" => name is null ? "list" : "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    private static string ListKind(string resource) => resource switch
    {
        "deployments" => "DeploymentList",
        "services" => "ServiceList",
        "configmaps" => "ConfigMapList",
        "secrets" => "SecretList",
        "horizontalpodautoscalers" => "HorizontalPodAutoscalerList",
        "poddisruptionbudgets" => "PodDisruptionBudgetList",
        _ => "List",
    };
}
