using System.Diagnostics;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// The `deploymind` command as separate processes (the build's deploymind.dll), all with the same environment: one-shot
/// commands, and long-running workers that are killed with their process tree on dispose.
/// </summary>
internal sealed class DeploymindProcesses : IDisposable
{
    private readonly List<Process> _started = [];

    /// <param name="environment">Variables for every process (DEPLOYMIND_HOME, DEPLOYMIND__QUEUE__…).</param>
    public DeploymindProcesses(IReadOnlyDictionary<string, string> environment)
    {
        Environment = new Dictionary<string, string>(environment) { ["DOTNET_NOLOGO"] = "1" };
    }

    public Dictionary<string, string> Environment { get; }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "deploymind.dll");

    /// <summary>Runs a command to its end.</summary>
    public Task<CommandResult> RunAsync(params string[] args) => RunInAsync(null, args);

    /// <summary>Runs a command to its end in <paramref name="workingDirectory"/> (null: this process's).</summary>
    public Task<CommandResult> RunInAsync(string? workingDirectory, params string[] args)
    {
        var spec = new CommandSpec("dotnet", [Dll, .. args]) { WorkingDirectory = workingDirectory };
        foreach (var (name, value) in Environment)
        {
            spec = spec.WithEnvironment(name, value);
        }

        return Docker.Runner.RunAsync(spec, null, CancellationToken.None);
    }

    /// <summary>Starts `deploymind worker --environment <paramref name="queue"/> --name <paramref name="name"/>` (output discarded).</summary>
    public Process StartWorker(string queue, string name) => Start(null, "worker", "--environment", queue, "--name", name);

    /// <summary>Starts a long-running command; its output lines go to <paramref name="output"/> (else are discarded).</summary>
    public Process Start(System.Collections.Concurrent.ConcurrentQueue<string>? output, params string[] args) => StartProgram(Dll, output, args);

    /// <summary>Starts another program of the build (e.g. DeployMind.Server.dll) with the same environment, like <see cref="Start"/>.</summary>
    public Process StartProgram(string dll, System.Collections.Concurrent.ConcurrentQueue<string>? output, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started.Add(process);
        return process;

        void Keep(string? line)
        {
            if (line is not null)
            {
                output?.Enqueue(line);
            }
        }
    }

    /// <summary>Polls <c>/readyz</c> until a started <c>serve</c> answers 200 (60 s at most), failing with its output if it exits or does not.</summary>
    public static async Task WaitReadyAsync(HttpClient client, Process serve, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            Assert.False(serve.HasExited, "serve exited: " + string.Join('\n', output));
            try
            {
                using var ready = await client.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail("serve did not become ready within 60 s: " + string.Join('\n', output));
    }

    /// <summary>
    /// Asks <c>deploymind status ID --output json</c> until the deployment's state is <paramref name="wanted"/>; returns the
    /// deployment then. Fails the test after <paramref name="limit"/>, quoting the last answer.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> WaitForStateAsync(string id, Func<string, bool> wanted, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var status = await RunAsync("status", id, "--output", "json");
            if (status.StandardOutput.TrimStart().StartsWith('{'))
            {
                using var doc = System.Text.Json.JsonDocument.Parse(status.StandardOutput);
                var deployment = doc.RootElement.GetProperty("deployment");
                if (wanted(deployment.GetProperty("state").GetString()!))
                {
                    return deployment.Clone();
                }
            }

            Assert.True(watch.Elapsed < limit, $"deployment {id} did not get there within {limit}: {status.StandardOutput}");
            await Task.Delay(250);
        }
    }

    /// <summary>Whether every worker started is still running.</summary>
    public bool AllRunning => _started.All(p => !p.HasExited);

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        _started.Clear();
    }
}
