using System.Net;
using System.Text.Json;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using k8s.Autorest;

namespace DeployMind.Infrastructure.Kubernetes;

internal sealed partial class KubernetesCluster
{
    private async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (HttpOperationException ex)
        {
            throw Refused(what, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    private async Task<T?> ReadOrNullAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException ex)
        {
            throw Refused(what, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    /// <summary>The API's answer as one line users can act on: a conflict names the other manager; 401/403 say what RBAC to grant.</summary>
    private DeployMindException Refused(string what, HttpOperationException ex)
    {
        var message = StatusMessage(ex.Response.Content) ?? ex.Message;
        return ex.Response.StatusCode switch
        {
            HttpStatusCode.Conflict => new KubernetesConflictException(
                $"Server-side apply ({what}) in {Display} conflicts with another field manager: {message}. DeployMind does not force changes over other tools: "
                + "remove that manager's fields, or hand the object to DeployMind once with `kubectl apply --server-side --force-conflicts --field-manager=deploymind`, then deploy again.",
                ex),
            HttpStatusCode.Unauthorized => new DeployMindException($"The API server of {Display} did not accept the credentials ({what}): {message}. Refresh the kubeconfig's credentials (or the service account token).", ex),
            HttpStatusCode.Forbidden => new DeployMindException($"Forbidden in {Display} ({what}): {message}. Grant the identity a Role with that permission in the namespace (`deploymind validate` lists the gaps).", ex),
            _ => new DeployMindException($"The API server of {Display} refused to {what}: {(int)ex.Response.StatusCode} {message}", ex),
        };
    }

    private DeployMindException Unreachable(HttpRequestException ex) =>
        new($"The API server of {Display} cannot be reached: {ex.Message}. Check the kubeconfig's server address and that the cluster is up (`deploymind validate`).", ex);

    /// <summary>The message of a Kubernetes Status body, or null.</summary>
    private static string? StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
        }
        catch (JsonException)
        {
            return content.Length > 300 ? content[..300] : content;
        }
    }
}
