using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Docker;

public sealed class DockerContainerRuntimeTests
{
    [Fact]
    public void Run_Spec_RendersHostNetworkPortHostEnvFileAndLabels()
    {
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234)
        {
            Environment = new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://u:hunter2pw@db/shop" },
            Labels = new Dictionary<string, string> { [ContainerLabels.App] = "shop", [ContainerLabels.Release] = "r7" },
        };

        var command = DockerCommands.Run(spec, "/home/deploy/.deploymind/env/shop-r7.env");

        Assert.Equal(
            ["run", "--detach", "--name", "shop-r7", "--network", "host", "--restart", "unless-stopped",
             "--env", "PORT=41234", "--env", "HOST=127.0.0.1", "--env-file", "/home/deploy/.deploymind/env/shop-r7.env",
             "--label", "io.deploymind.app=shop", "--label", "io.deploymind.release=r7", "shop:3f2a"],
            command.Arguments);
        Assert.DoesNotContain(command.Arguments, a => a.Contains("hunter2pw", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_EnvironmentNamesHost_TheEnvFilesValueIsNotOverridden()
    {
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234) { Environment = new Dictionary<string, string> { ["HOST"] = "203.0.113.254" } };

        var command = DockerCommands.Run(spec, "/e.env");

        Assert.Equal(["run", "--detach", "--name", "shop-r7", "--network", "host", "--restart", "unless-stopped", "--env", "PORT=41234", "--env-file", "/e.env", "shop:3f2a"], command.Arguments);
    }

    [Fact]
    public void Run_EnvironmentWithoutEnvFile_IsRefused()
    {
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234) { Environment = new Dictionary<string, string> { ["API_KEY"] = "k" } };

        var ex = Assert.Throws<ArgumentException>(() => DockerCommands.Run(spec));

        Assert.Contains("env file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Environment_OneHostCommandWritesTheEnvFileThroughStandardInputAndRunsWithIt()
    {
        var value = "v-" + Guid.NewGuid().ToString("N");
        var runner = new ScriptedRunner((0, "c0ffee\n"));
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234)
        {
            Environment = new Dictionary<string, string> { ["API_KEY"] = value, ["MODE"] = "live" },
        };

        var id = await new DockerContainerRuntime(runner).RunAsync(spec, CancellationToken.None);

        Assert.Equal("c0ffee", id);
        var run = Assert.Single(runner.Calls);
        Assert.Equal("sh", run.Program);
        Assert.Equal($"API_KEY={value}\nMODE=live\n", run.StandardInput);
        Assert.Contains("umask 077", run.Arguments[1], StringComparison.Ordinal);
        Assert.Equal(["sh", "shop-r7", "docker", "run"], run.Arguments.Skip(2).Take(4));
        Assert.Contains("--env-file", run.Arguments);
        Assert.DoesNotContain(run.Arguments, a => a.Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_EnvFileNotWritten_SaysSoNotThatDockerFailed()
    {
        var runner = new ScriptedRunner((DockerCommands.EnvFileNotWritten, string.Empty));
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234) { Environment = new Dictionary<string, string> { ["MODE"] = "live" } };

        var ex = await Assert.ThrowsAsync<DeployMind.Domain.DeployMindException>(() => new DockerContainerRuntime(runner).RunAsync(spec, CancellationToken.None));

        Assert.StartsWith("Could not write the env file of shop-r7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveAsync_Container_RemovesItsEnvFileToo()
    {
        var runner = new ScriptedRunner((0, string.Empty), (0, string.Empty));

        await new DockerContainerRuntime(runner).RemoveAsync("shop-r7", CancellationToken.None);

        Assert.Equal(["rm", "--force", "shop-r7"], runner.Calls[0].Arguments);
        Assert.Equal("sh", runner.Calls[1].Program);
        Assert.Equal("shop-r7", runner.Calls[1].Arguments[^1]);
        Assert.Contains("rm -f", runner.Calls[1].Arguments[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    public async Task RunWithEnvFile_RunByAShell_WritesAPrivateFileRunsDockerWithItAndRemovesItWhenDockerFails(int dockerExit)
    {
        var home = Directory.CreateTempSubdirectory("dm-home-");
        try
        {
            // A stand-in for docker: prints its arguments, the env file's mode and content, then exits as told.
            var docker = Path.Combine(home.FullName, "docker");
            await File.WriteAllTextAsync(docker, $$"""
                #!/bin/sh
                for a do case "$a" in *.env) printf 'file %s %s\n' "$(stat -c %a "$a")" "$(cat "$a")";; esac; done
                printf 'args %s\n' "$*"
                exit {{dockerExit}}
                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var value = "s3cr3t $(id) 'q'";
            var command = DockerCommands.RunWithEnvFile(new ContainerSpec("shop-r7", "shop:3f2a", 41234) { Environment = new Dictionary<string, string> { ["API_KEY"] = value } });
            command = new CommandSpec(command.Program, [.. command.Arguments.Take(4), docker, .. command.Arguments.Skip(5)]) with { StandardInput = command.StandardInput };
            var runner = new LocalProcessRunner(Microsoft.Extensions.Logging.Abstractions.NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

            var result = await runner.RunAsync(command.WithEnvironment("HOME", home.FullName), null, CancellationToken.None);

            var path = Path.Combine(home.FullName, ".deploymind", "env", "shop-r7.env");
            Assert.Equal(dockerExit, result.ExitCode);
            Assert.Contains($"file 600 API_KEY={value}", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"--env-file {path} ", result.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("@deploymind-env-file@", result.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(dockerExit == 0, File.Exists(path));
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RunWithEnvFile_HomeNotWritable_ExitsEnvFileNotWrittenWithoutRunningDocker()
    {
        var home = Directory.CreateTempSubdirectory("dm-home-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(home.FullName, ".deploymind"), "a file where the folder should be");
            var command = DockerCommands.RunWithEnvFile(new ContainerSpec("shop-r7", "shop:3f2a", 41234) { Environment = new Dictionary<string, string> { ["MODE"] = "live" } });
            command = new CommandSpec(command.Program, [.. command.Arguments.Take(4), "/bin/false-docker-must-not-run", .. command.Arguments.Skip(5)]) with { StandardInput = command.StandardInput };
            var runner = new LocalProcessRunner(Microsoft.Extensions.Logging.Abstractions.NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

            var result = await runner.RunAsync(command.WithEnvironment("HOME", home.FullName), null, CancellationToken.None);

            Assert.Equal(DockerCommands.EnvFileNotWritten, result.ExitCode);
            Assert.Contains("could not write the env file", result.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("false-docker-must-not-run", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public void Run_ContainerSettings_RendersInitStopTimeoutRestartLimitsAndVolumesAfterTheLabels()
    {
        var settings = new ContainerSettings
        {
            StopTimeout = TimeSpan.FromSeconds(2.5),
            Restart = "on-failure:3",
            Cpus = 1.5m,
            MemoryBytes = 512L * 1024 * 1024,
            Volumes = ["data:/var/lib/app", "/srv/uploads:/app/uploads:ro"],
        };
        var spec = settings.Apply(new ContainerSpec("shop-r7", "shop:3f2a", 41234)
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.App] = "shop" },
            Command = ["serve"],
        });

        var command = DockerCommands.Run(spec);

        Assert.Equal(
            ["run", "--detach", "--name", "shop-r7", "--network", "host", "--restart", "on-failure:3",
             "--env", "PORT=41234", "--env", "HOST=127.0.0.1", "--label", "io.deploymind.app=shop",
             "--init", "--stop-timeout", "3", "--cpus", "1.5", "--memory", "536870912",
             "--volume", "data:/var/lib/app", "--volume", "/srv/uploads:/app/uploads:ro", "shop:3f2a", "serve"],
            command.Arguments);
    }

    [Fact]
    public void Run_DefaultContainerSettings_AddInitAndTheStopTimeoutOnly()
    {
        var command = DockerCommands.Run(ContainerSettings.Default.Apply(new ContainerSpec("shop-r7", "shop:3f2a", 41234)));

        Assert.Equal(
            ["run", "--detach", "--name", "shop-r7", "--network", "host", "--restart", "unless-stopped",
             "--env", "PORT=41234", "--env", "HOST=127.0.0.1", "--init", "--stop-timeout", "10", "shop:3f2a"],
            command.Arguments);
    }

    [Fact]
    public void ContainersOf_Image_FiltersEveryContainerOnTheImage() =>
        Assert.Equal(["ps", "--all", "--quiet", "--no-trunc", "--filter", "ancestor=shop:3f2a"], DockerCommands.ContainersOf("shop:3f2a").Arguments);

    [Fact]
    public void ListByLabel_HostileValue_IsOneDockerPsArgument()
    {
        var command = DockerCommands.ListByLabel(ContainerLabels.App, "shop; rm -rf /");

        Assert.Equal("docker", command.Program);
        Assert.Equal(["ps", "--all", "--no-trunc", "--filter", "label=io.deploymind.app=shop; rm -rf /", "--format"], command.Arguments.Take(6));
        Assert.Equal(DockerCommands.ListFormat, command.Arguments[6]);
    }

    [Fact]
    public void ListFormat_EveryListedLabel_IsWrittenByDockersJsonFunction()
    {
        foreach (var label in ContainerLabels.Listed)
        {
            Assert.Contains($"\"{label}\":{{{{json (.Label \"{label}\")}}}}", DockerCommands.ListFormat, StringComparison.Ordinal);
        }

        Assert.StartsWith("{\"name\":{{json .Names}},\"image\":{{json .Image}},\"state\":{{json .State}},\"status\":{{json .Status}},", DockerCommands.ListFormat, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseListing_States_ReadsRunningExitCodesImagesAndLabels()
    {
        // What docker ps prints with ListFormat (labels it does not have come out as "").
        const string Output = """
            {"name":"shop-r7","image":"shop:3f2a","state":"running","status":"Up 2 minutes","labels":{"io.deploymind.app":"shop","io.deploymind.release":"r7","io.deploymind.image":"shop:3f2a","io.deploymind.colour":""}}
            {"name":"shop-r6","image":"0123456789ab","state":"exited","status":"Exited (137) 5 minutes ago","labels":{"io.deploymind.app":"shop","io.deploymind.release":"r6","io.deploymind.image":"shop:1b2c"}}
            {"name":"shop-r5","image":"shop:0a0a","state":"restarting","status":"Restarting (1) 3 seconds ago","labels":{"io.deploymind.app":"shop"}}
            {"name":"shop-r4","image":"shop:0b0b","state":"created","status":"Created","labels":{"io.deploymind.app":"shop"}}
            {"name":"shop-r3","image":"shop:0c0c","state":"paused","status":"Up 1 hour (Paused)","labels":{"io.deploymind.app":"shop"}}
            {"name":"odd \"name\", with\ttab","image":"shop:0d0d","state":"exited","status":"Exited (-1) 1 second ago","labels":{"io.deploymind.app":"a,b=c"}}

            """;

        var states = DockerContainerRuntime.ParseListing(Output);

        Assert.Equal(6, states.Count);
        Assert.Equal(("shop-r7", "shop:3f2a", true, (int?)null, "r7"), (states[0].Name, states[0].Image, states[0].Running, states[0].ExitCode, states[0].Label(ContainerLabels.Release)));
        Assert.Null(states[0].Label(ContainerLabels.Colour));

        // The tag was re-pointed: docker shows the image's id; the label still names what the container was created from.
        Assert.Equal(("shop-r6", "shop:1b2c", false, (int?)137), (states[1].Name, states[1].Image, states[1].Running, states[1].ExitCode));

        // Being restarted by its policy is not running; its last exit code is the status's.
        Assert.Equal((false, (int?)1), (states[2].Running, states[2].ExitCode));
        Assert.Equal((false, (int?)0), (states[3].Running, states[3].ExitCode));
        Assert.Equal((true, (int?)null), (states[4].Running, states[4].ExitCode));

        // Without the image label (a container from before it), docker's column; odd names and values stay whole.
        Assert.Equal("shop:0a0a", states[2].Image);
        Assert.Equal(("odd \"name\", with\ttab", "a,b=c", (int?)-1), (states[5].Name, states[5].Label(ContainerLabels.App), states[5].ExitCode));
    }

    [Fact]
    public void ParseInspect_RunningAndExited_ReadsStateAndLabels()
    {
        const string Json = """
            [
              { "Name": "/shop-r7", "Config": { "Image": "shop:3f2a", "Labels": { "io.deploymind.app": "shop", "io.deploymind.release": "r7" } },
                "State": { "Running": true, "Restarting": false, "ExitCode": 0 } },
              { "Name": "/shop-r6", "Config": { "Image": "shop:1b2c", "Labels": null },
                "State": { "Running": false, "Restarting": false, "ExitCode": 137 } },
              { "Name": "/shop-r8", "Config": { "Image": "shop:9d9d", "Labels": {} },
                "State": { "Running": true, "Restarting": true, "ExitCode": 1 } }
            ]
            """;

        var states = DockerContainerRuntime.ParseInspect(Json);

        Assert.Equal(3, states.Count);
        Assert.Equal(("shop-r7", true, (int?)null, "r7"), (states[0].Name, states[0].Running, states[0].ExitCode, states[0].Label(ContainerLabels.Release)));
        Assert.Equal(("shop-r6", false, (int?)137), (states[1].Name, states[1].Running, states[1].ExitCode));
        Assert.False(states[2].Running);
        Assert.Equal(1, states[2].ExitCode);
    }

    [Fact]
    public async Task ListeningPortsAsync_ContainerProcesses_AreMatchedAgainstTheHostsSockets()
    {
        const string Top = """
            UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD
            root                4100                4080                0                   20:38               ?                   00:00:00            /bin/sh -c exec node server.js
            65532               4123                4100                0                   20:38               ?                   00:00:01            node server.js
            """;
        const string Sockets = """
            LISTEN 0      511        127.0.0.1:5000  0.0.0.0:* users:(("node",pid=4123,fd=18))
            LISTEN 0      511             [::]:9229     [::]:* users:(("node",pid=4123,fd=20),("node",pid=4124,fd=20))
            LISTEN 0      4096       127.0.0.1:8080  0.0.0.0:* users:(("nginx",pid=900,fd=6),("nginx",pid=901,fd=6))
            LISTEN 0      128          0.0.0.0:2024  0.0.0.0:*
            """;
        var runner = new ScriptedRunner((0, Top), (0, Sockets));

        var ports = await new DockerContainerRuntime(runner).ListeningPortsAsync("shop-r7", CancellationToken.None);

        Assert.Equal([5000, 9229], ports!.Order());
        Assert.Equal(["docker top shop-r7", "ss -Hltnp"], runner.Calls.Select(c => c.ToString()));
    }

    [Fact]
    public async Task ListeningPortsAsync_NoSuchContainer_IsNullWithoutListingSockets()
    {
        var runner = new ScriptedRunner((1, "Error response from daemon: No such container: shop-r7"));

        Assert.Null(await new DockerContainerRuntime(runner).ListeningPortsAsync("shop-r7", CancellationToken.None));
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task ListeningPortsAsync_SocketsWithoutOwners_IsEmpty()
    {
        // Not root: ss cannot say which process owns another user's socket, so nothing is attributed to the container.
        var runner = new ScriptedRunner((0, "UID PID PPID C STIME TTY TIME CMD\n65532 4123 4100 0 20:38 ? 00:00:01 node\n"), (0, "LISTEN 0 511 127.0.0.1:5000 0.0.0.0:*\n"));

        Assert.Empty((await new DockerContainerRuntime(runner).ListeningPortsAsync("shop-r7", CancellationToken.None))!);
    }

    [Fact]
    public async Task ListeningPortsAsync_SsCannotBeStarted_IsNull()
    {
        var runner = new ScriptedRunner((0, "UID PID PPID C STIME TTY TIME CMD\n65532 4123 4100 0 20:38 ? 00:00:01 node\n"));

        Assert.Null(await new DockerContainerRuntime(runner).ListeningPortsAsync("shop-r7", CancellationToken.None));
        Assert.Equal(2, runner.Calls.Count);
    }

    /// <summary>Answers the scripted results in order; past them, the program cannot be started.</summary>
    private sealed class ScriptedRunner(params (int ExitCode, string Output)[] results) : ICommandRunner
    {
        public List<CommandSpec> Calls { get; } = [];

        public string Name => "scripted";

        public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
        {
            Calls.Add(command);
            if (Calls.Count > results.Length)
            {
                throw new CommandStartException($"{command.Program}: not found", new FileNotFoundException(command.Program));
            }

            var (exitCode, output) = results[Calls.Count - 1];
            return Task.FromResult(new CommandResult(command.ToString(), exitCode, exitCode == 0 ? output : string.Empty, exitCode == 0 ? string.Empty : output, TimeSpan.Zero));
        }
    }
}
