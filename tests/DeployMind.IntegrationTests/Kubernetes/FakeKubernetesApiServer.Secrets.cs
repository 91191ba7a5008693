using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>
/// Create (POST) and replace (PUT) as the API server answers them, for Secrets as the API validates them: a DNS-subdomain
/// name, keys of [-._a-zA-Z0-9], base64 data (<c>stringData</c> folded into <c>data</c>), at most 1 MiB; 409 AlreadyExists
/// on create, 409 Conflict on a stale resourceVersion, 422 on a change of an immutable Secret's data.
/// </summary>
public sealed partial class FakeKubernetesApiServer
{
    private const int MaxSecretBytes = 1024 * 1024;
    private long _resourceVersion = 100;

    /// <summary>Stores an object as if another tool (kubectl) had created it.</summary>
    public void Seed(string resource, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        lock (_gate)
        {
            var (status, answer) = Create(resource, body, "kubectl");
            if (status != 201)
            {
                throw new InvalidOperationException(answer.ToJsonString());
            }
        }
    }

    /// <summary>A stored Secret's data, decoded (as <c>kubectl get secret -o jsonpath</c> and base64 -d would show it).</summary>
    public IReadOnlyDictionary<string, string> SecretData(string name)
    {
        var secret = Get("secrets", name) ?? throw new InvalidOperationException($"no Secret {name}");
        return (secret["data"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(Convert.FromBase64String(kv.Value!.GetValue<string>())), StringComparer.Ordinal);
    }

    private (int, JsonNode) Create(string resource, JsonObject body, string manager)
    {
        var name = body["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            return (422, Status(422, "Invalid", $"{Kind(resource)} \"\" is invalid: metadata.name: Required value: name or generateName is required"));
        }

        if (_objects.ContainsKey(Key(resource, name)))
        {
            return (409, Status(409, "AlreadyExists", $"{resource} \"{name}\" already exists"));
        }

        if (resource == "secrets" && Invalid(name, body) is { } invalid)
        {
            return invalid;
        }

        var created = (JsonObject)body.DeepClone();
        created["metadata"]!["uid"] = $"uid-{++_uid}";
        created["metadata"]!["creationTimestamp"] = Now();
        created["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        _objects[Key(resource, name)] = new Stored(resource, name, created, manager);
        return (201, created.DeepClone());
    }

    private (int, JsonNode) Replace(string resource, string name, JsonObject body)
    {
        if (!_objects.TryGetValue(Key(resource, name), out var stored))
        {
            return (404, Status(404, "NotFound", $"{resource} \"{name}\" not found"));
        }

        var version = body["metadata"]?["resourceVersion"]?.GetValue<string>();
        if (version is not null && version != stored.Body["metadata"]?["resourceVersion"]?.GetValue<string>())
        {
            return (409, Status(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"));
        }

        if (resource == "secrets")
        {
            if (Invalid(name, body) is { } invalid)
            {
                return invalid;
            }

            if (stored.Body["immutable"]?.GetValue<bool>() == true
                && (body["immutable"]?.GetValue<bool>() != true || Text(body["data"]) != Text(stored.Body["data"])))
            {
                return (422, Status(422, "Invalid", $"Secret \"{name}\" is invalid: data: Forbidden: field is immutable when `immutable` is set"));
            }
        }

        var replaced = (JsonObject)body.DeepClone();
        replaced["metadata"]!["uid"] = stored.Body["metadata"]!["uid"]!.DeepClone();
        replaced["metadata"]!["creationTimestamp"] = stored.Body["metadata"]!["creationTimestamp"]!.DeepClone();
        replaced["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        stored.Body = replaced;
        return (200, replaced.DeepClone());
    }

    /// <summary>The API's validation of a Secret (and its defaulting: type Opaque, stringData folded into data); null when valid.</summary>
    private static (int, JsonNode)? Invalid(string name, JsonObject body)
    {
        if (name.Length > 253 || !DnsSubdomain().IsMatch(name))
        {
            return (422, Status(422, "Invalid", $"Secret \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        }

        body["type"] ??= "Opaque";
        var data = body["data"] as JsonObject ?? [];
        foreach (var (key, value) in (body["stringData"] as JsonObject ?? []).ToList())
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value!.GetValue<string>()));
        }

        body.Remove("stringData");
        body["data"] = data;
        var size = 0;
        foreach (var (key, value) in data)
        {
            if (!SecretKey().IsMatch(key))
            {
                return (422, Status(422, "Invalid", $"Secret \"{name}\" is invalid: data[{key}]: Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
            }

            try
            {
                size += Convert.FromBase64String(value?.GetValue<string>() ?? string.Empty).Length;
            }
            catch (FormatException)
            {
                return (400, Status(400, "BadRequest", $"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in data[{key}]"));
            }
        }

        return size > MaxSecretBytes
            ? (422, Status(422, "Invalid", $"Secret \"{name}\" is invalid: data: Too long: must have at most {MaxSecretBytes} bytes"))
            : null;
    }

    private static string Kind(string resource) => resource switch
    {
        "secrets" => "Secret",
        "configmaps" => "ConfigMap",
        _ => resource,
    };

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex SecretKey();
}
