using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

public sealed class DockerEngineRuntimeTests
{
    [Fact]
    public void CreateBody_Spec_IsWhatTheCliSendsForDockerRun()
    {
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234)
        {
            Environment = new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://u:hunter2pw@db/shop", ["A"] = "1" },
            Labels = new Dictionary<string, string> { [ContainerLabels.Release] = "r7", [ContainerLabels.App] = "shop" },
            Init = true,
            StopTimeout = TimeSpan.FromSeconds(3.2),
            Restart = "on-failure:2",
            Cpus = 1.5m,
            MemoryBytes = 268_435_456,
            Volumes = ["shop-data:/data", "/srv/uploads:/uploads:ro", "/cache"],
        }.WithCommand("web", "--port", "$PORT");

        var body = DockerEngineRuntime.CreateBody(spec).ToJsonString();

        Assert.Equal(
            """
            {"Image":"shop:3f2a","Env":["A=1","DATABASE_URL=postgres://u:hunter2pw@db/shop","PORT=41234","HOST=127.0.0.1"],"Labels":{"io.deploymind.app":"shop","io.deploymind.release":"r7"},"HostConfig":{"NetworkMode":"host","RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2},"Binds":["shop-data:/data","/srv/uploads:/uploads:ro"],"Init":true,"NanoCpus":1500000000,"Memory":268435456},"Cmd":["web","--port","$PORT"],"Volumes":{"/cache":{}},"StopTimeout":4}
            """,
            body);
    }

    [Fact]
    public void CreateBody_WorkerAndOwnPort_NoPortForAWorkerAndTheAppsOwnPortWins()
    {
        var worker = DockerEngineRuntime.CreateBody(new ContainerSpec("shop-r7-worker-1", "shop:1", 0)).ToJsonString();
        var own = DockerEngineRuntime.CreateBody(new ContainerSpec("shop-r7", "shop:1", 41234) { Environment = new Dictionary<string, string> { ["PORT"] = "9999" } }).ToJsonString();

        Assert.Contains("\"Env\":[\"HOST=127.0.0.1\"]", worker, StringComparison.Ordinal);
        Assert.Contains("\"RestartPolicy\":{\"Name\":\"unless-stopped\"}", worker, StringComparison.Ordinal);
        Assert.DoesNotContain("Cmd", worker, StringComparison.Ordinal);
        Assert.DoesNotContain("Init", worker, StringComparison.Ordinal);
        Assert.Contains("\"Env\":[\"PORT=9999\",\"HOST=127.0.0.1\"]", own, StringComparison.Ordinal);
    }

    [Fact]
    public void ListingLines_EnginesArray_ReadAsTheCliListingIs()
    {
        const string Json = """
            [
              {"Id":"a1","Names":["/shop-r2"],"Image":"shop:2","State":"running","Status":"Up 3 minutes",
               "Labels":{"io.deploymind.app":"shop","io.deploymind.release":"r2","io.deploymind.image":"shop:2","com.example":"x"}},
              {"Id":"b2","Names":["/other/alias","/shop-r1"],"Image":"sha256:0123","State":"exited","Status":"Exited (137) 2 hours ago",
               "Labels":{"io.deploymind.app":"shop","io.deploymind.release":"r1"}},
              {"Id":"c3","Names":["/shop-r0"],"Image":"shop:0","State":"created","Status":"Created","Labels":null}
            ]
            """;

        var states = DockerContainerRuntime.ParseListing(DockerEngineRuntime.ListingLines(Json));

        Assert.Equal(3, states.Count);
        Assert.Equal(("shop-r2", "shop:2", true, (int?)null), (states[0].Name, states[0].Image, states[0].Running, states[0].ExitCode));
        Assert.Equal(["io.deploymind.app", "io.deploymind.image", "io.deploymind.release"], states[0].Labels.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("shop-r1", "sha256:0123", false, (int?)137), (states[1].Name, states[1].Image, states[1].Running, states[1].ExitCode));
        Assert.Equal(("shop-r0", false, (int?)0, 0), (states[2].Name, states[2].Running, states[2].ExitCode, states[2].Labels.Count));
    }

    [Fact]
    public void LocalSocket_WhatTheCliWouldReach_OrNullWhenItCannotBeToldWithoutTheCli()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var home = Directory.CreateTempSubdirectory("dm-engine-home-");
        try
        {
            var socket = Path.Combine(home.FullName, "docker.sock");
            File.WriteAllText(socket, string.Empty);
            string? Resolve(params (string Name, string Value)[] variables) =>
                DockerEngine.LocalSocket(name => variables.FirstOrDefault(v => v.Name == name).Value, home.FullName);

            Assert.Equal(socket, Resolve(("DOCKER_HOST", "unix://" + socket)));
            Assert.Equal(socket, Resolve(("DOCKER_HOST", "unix://" + socket), ("DOCKER_CONTEXT", "default")));
            Assert.Null(Resolve(("DOCKER_HOST", "unix://" + socket + ".missing")));
            Assert.Null(Resolve(("DOCKER_HOST", "unix://" + home.FullName)));
            Assert.Null(Resolve(("DOCKER_HOST", "tcp://127.0.0.1:2375")));
            Assert.Null(Resolve(("DOCKER_HOST", "ssh://deploy@203.0.113.5")));
            Assert.Null(Resolve(("DOCKER_HOST", "unix://" + socket), ("DOCKER_CONTEXT", "rootless")));

            // A current context in the CLI's configuration (other than default) is the CLI's to resolve; so is a file it
            // could not read either.
            Directory.CreateDirectory(Path.Combine(home.FullName, ".docker"));
            var config = Path.Combine(home.FullName, ".docker", "config.json");
            File.WriteAllText(config, """{"currentContext":"rootless"}""");
            Assert.Null(Resolve());
            Assert.Null(Resolve(("DOCKER_CONFIG", Path.Combine(home.FullName, ".docker"))));
            File.WriteAllText(config, "{ not json");
            Assert.Null(Resolve());
            File.WriteAllText(config, """{"currentContext":"default","auths":{}}""");
            Assert.Equal(File.Exists("/var/run/docker.sock") ? "/var/run/docker.sock" : null, Resolve());
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
