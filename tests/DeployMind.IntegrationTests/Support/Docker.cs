using System.Net;
using System.Net.Sockets;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Support;

/// <summary>Direct docker CLI calls for test set-up and clean-up (the code under test has its own).</summary>
internal static class Docker
{
    public static ICommandRunner Runner { get; } = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

    public static async Task<CommandResult> RunAsync(params string[] args) =>
        await Runner.RunAsync(CommandSpec.Create("docker", args), null, CancellationToken.None);

    /// <summary>Starts a container on the host network, bound to 127.0.0.1 on <paramref name="port"/>.</summary>
    public static async Task<string> StartAsync(string image, int port, string name)
    {
        var result = await RunAsync("run", "--detach", "--name", name, "--network", "host",
            "--env", $"PORT={port}", "--env", "HOST=127.0.0.1", image);
        result.EnsureSuccess();
        return result.StandardOutput.Trim();
    }

    public static async Task RemoveContainerAsync(string name) => await RunAsync("rm", "--force", name);

    public static async Task RemoveImageAsync(string image) => await RunAsync("image", "rm", "--force", image);

    public static async Task<string> LogsAsync(string name)
    {
        var logs = await RunAsync("logs", "--tail", "50", name);
        return logs.StandardOutput + logs.StandardError;
    }

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls http://127.0.0.1:port/path until it answers 200, or fails with the container's logs.</summary>
    public static async Task<string> WaitForHttpAsync(int port, string path, string container, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.Content.ReadAsStringAsync();
                }

                last = new HttpRequestException($"status {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }
            catch (TaskCanceledException ex)
            {
                last = ex;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"http://127.0.0.1:{port}{path} did not answer 200 within {timeout.TotalSeconds}s ({last?.Message}). Container logs:\n{await LogsAsync(container)}");
    }
}
