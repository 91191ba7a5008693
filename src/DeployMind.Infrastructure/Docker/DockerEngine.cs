using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DeployMind.Domain;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// The Docker engine's HTTP API on this machine's unix socket: what the docker CLI sends for a request, without starting
/// the CLI (a process that costs about 40 ms before the engine does anything). Only for the engine the CLI would reach
/// by default (see <see cref="LocalSocket"/>); everything else goes through the CLI.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="socketPath">The engine's unix socket.</param>
    /// <param name="wrap">Wraps the socket handler (the bench times each request with it); null for none.</param>
    public DockerEngine(string socketPath, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        // No overall timeout: a stop takes as long as the container's grace; callers bound requests with their token.
        _http = new HttpClient(wrap is null ? handler : wrap(handler)) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>
    /// The socket the docker CLI reaches by default on this machine, or null when it would reach another engine or
    /// cannot be told without the CLI: <c>DOCKER_HOST</c> other than <c>unix://</c>, a <c>DOCKER_CONTEXT</c> or
    /// configured current context other than <c>default</c>, not Linux, or no socket there.
    /// </summary>
    /// <param name="variable">Reads an environment variable (the process's own: the CLI runs with it).</param>
    /// <param name="home">The user's home, where the CLI's configuration is (<c>.docker/config.json</c>) unless <c>DOCKER_CONFIG</c> says.</param>
    public static string? LocalSocket(Func<string, string?> variable, string? home)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (variable("DOCKER_CONTEXT") is { Length: > 0 } context && context != "default")
        {
            return null;
        }

        var path = "/var/run/docker.sock";
        if (variable("DOCKER_HOST") is { Length: > 0 } dockerHost)
        {
            if (!dockerHost.StartsWith("unix://", StringComparison.Ordinal) || dockerHost.Length <= "unix://".Length)
            {
                return null;
            }

            path = dockerHost["unix://".Length..];
        }
        else if (CurrentContext(variable("DOCKER_CONFIG") is { Length: > 0 } config ? config : home is null ? null : Path.Combine(home, ".docker")) is not (null or "default"))
        {
            return null;
        }

        return File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Directory) == 0 ? path : null;
    }

    // The CLI configuration's currentContext; "?" when the file cannot be read as JSON (the CLI decides, not us).
    private static string? CurrentContext(string? directory)
    {
        var file = directory is null ? null : Path.Combine(directory, "config.json");
        if (file is null || !File.Exists(file))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("currentContext", out var current) && current.ValueKind == JsonValueKind.String
                ? current.GetString() is { Length: > 0 } name ? name : null
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    /// <summary>
    /// Sends one request; null when the engine could not be reached (nothing was sent: the caller goes through the CLI,
    /// which says why in its own words).
    /// </summary>
    public async Task<EngineResponse?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return null;
        }
        catch (HttpRequestException ex)
        {
            // Reached, then lost: what the engine did with the request is not known.
            throw new DeployMindException($"The Docker engine on unix://{SocketPath} stopped answering ({method} /{path.Split('?')[0]}): {ex.Message}", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return new EngineResponse(response.StatusCode, text);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The engine's answer: its status and body (JSON, or empty).</summary>
internal sealed record EngineResponse(HttpStatusCode Status, string Body)
{
    public bool Succeeded => (int)Status is >= 200 and < 300;

    /// <summary>The engine's own message ({"message": "…"}), or the status when it gave none.</summary>
    public string Message
    {
        get
        {
            try
            {
                using var document = JsonDocument.Parse(Body);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
            }

            return $"the engine answered {(int)Status} {Status}";
        }
    }
}
