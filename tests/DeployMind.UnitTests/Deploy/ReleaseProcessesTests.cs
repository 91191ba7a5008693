using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.UnitTests.Deploy;

public sealed class ReleaseProcessesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dm-processes-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Of_NothingConfiguredAndNoProcfile_IsOneWebContainer()
    {
        var processes = ReleaseProcesses.Of(new AppOptions(), "production", _folder);

        Assert.Equal((1, 0, 0), (processes.WebReplicas, processes.WebCommand.Count, processes.Others.Count));
    }

    [Fact]
    public void Of_Procfile_ItsOtherLinesAreProcessesAndItsWebAndReleaseLinesAreNot()
    {
        File.WriteAllText(Path.Combine(_folder, "Procfile"), "# processes\nweb: node server.js\n\nworker: node worker.js\r\nrelease: node migrate.js\nclock: node clock.js --every 60\n");

        var processes = ReleaseProcesses.Of(new AppOptions(), "production", _folder);

        Assert.Empty(processes.WebCommand); // the generated image's CMD is already the Procfile's web line
        Assert.Equal(["worker", "clock"], processes.Others.Select(p => p.Name));
        Assert.Equal(["node", "clock.js", "--every", "60"], processes.Others[1].Command);
        Assert.Equal("Procfile:4", processes.Origins["worker"]);
    }

    [Fact]
    public void Of_TheEnvironmentOverridesTheAppWhichOverridesTheProcfile_FieldByField()
    {
        File.WriteAllText(Path.Combine(_folder, "Procfile"), "worker: node worker.js\n");
        var app = new AppOptions();
        app.Processes["worker"] = new ProcessOptions { Replicas = 3, StayUp = "10s" };
        app.Processes["web"] = new ProcessOptions { Replicas = 2 };
        app.Environments["staging"] = new EnvironmentOptions { Processes = { ["worker"] = new ProcessOptions { Replicas = 1, Command = "node worker.js --verbose" } } };

        var production = ReleaseProcesses.Of(app, "production", _folder);
        var staging = ReleaseProcesses.Of(app, "staging", _folder);

        Assert.Equal((2, 3, TimeSpan.FromSeconds(10)), (production.WebReplicas, production.Others[0].Replicas, production.Others[0].StayUp));
        Assert.Equal(["node", "worker.js"], production.Others[0].Command);
        Assert.Equal((1, TimeSpan.FromSeconds(10)), (staging.Others[0].Replicas, staging.Others[0].StayUp));
        Assert.Equal(["node", "worker.js", "--verbose"], staging.Others[0].Command);
        Assert.Equal("environments.staging.processes.worker.command", staging.Origins["worker"]);
    }

    [Fact]
    public void Of_ProcfileProcessTurnedOffForAnEnvironment_IsLeftOut()
    {
        File.WriteAllText(Path.Combine(_folder, "Procfile"), "worker: node worker.js\n");
        var app = new AppOptions();
        app.Environments["preview"] = new EnvironmentOptions { Processes = { ["worker"] = new ProcessOptions { Replicas = 0 } } };

        Assert.Empty(ReleaseProcesses.Of(app, "preview", _folder).Others);
    }

    [Theory]
    [InlineData("bundle exec sidekiq -C config/sidekiq.yml", new[] { "bundle", "exec", "sidekiq", "-C", "config/sidekiq.yml" })]
    [InlineData("node worker.js && echo done", new[] { "/bin/sh", "-c", "node worker.js && echo done" })]
    [InlineData("celery -A app worker --concurrency=$WORKERS", new[] { "/bin/sh", "-c", "celery -A app worker --concurrency=$WORKERS" })]
    [InlineData("python -c 'import worker; worker.run()'", new[] { "/bin/sh", "-c", "python -c 'import worker; worker.run()'" })]
    public void Arguments_PlainWordsAsTheyAre_ShellSyntaxUnderSh(string command, string[] expected) =>
        Assert.Equal(expected, ReleaseProcesses.Arguments(command, "processes.worker.command"));

    [Theory]
    [InlineData("worker node worker.js\n", "Procfile:1: 'worker node worker.js' is not a process")]
    [InlineData("worker: a\nworker: b\n", "Procfile:2: the process 'worker' is named twice (Procfile:1 first)")]
    public void Of_BadProcfile_NamesTheLine(string procfile, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, "Procfile"), procfile);

        var error = Assert.Throws<InvalidInputException>(() => ReleaseProcesses.Of(new AppOptions(), "production", _folder));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_ProcessWithoutACommand_SaysWhereToWriteOne()
    {
        var app = new AppOptions();
        app.Processes["worker"] = new ProcessOptions { Replicas = 2 };

        var error = Assert.Throws<InvalidInputException>(() => ReleaseProcesses.Of(app, "production", _folder));

        Assert.StartsWith("processes.worker.command: the process 'worker' has no command", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web", 0, "processes.web.replicas: 0 web replicas; use 1 to 32")]
    [InlineData("worker", 33, "processes.worker.replicas: 33 replicas; use 0 (off) to 32")]
    [InlineData("Bad Name", 1, "processes.Bad Name: 'Bad Name' is not a process name")]
    public void Of_BadSetting_NamesTheKey(string name, int replicas, string expected)
    {
        var app = new AppOptions();
        app.Processes[name] = new ProcessOptions { Replicas = replicas, Command = "run" };

        var error = Assert.Throws<InvalidInputException>(() => ReleaseProcesses.Of(app, "production", _folder));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
