using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Aws;

/// <summary>
/// <c>deploymind deploy</c> end to end onto an EC2 "instance" through SSM: examples/python-stdlib built here, then a canary
/// under load and the verify stage, every command on the host through SSM Run Command (the real AWSSDK clients against the
/// loopback fake, whose instance is this machine; access logs past SSM's inline limit come back through the S3 bucket).
/// </summary>
public sealed class SsmPipelineTests : IClassFixture<FakeAwsFixture>, IAsyncLifetime, IDisposable
{
    private readonly FakeAwsFixture _aws;
    private readonly TempFolder _state = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("python-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _name = "dmit-ssmpipe-" + Guid.NewGuid().ToString("N")[..8];

    public SsmPipelineTests(FakeAwsFixture aws)
    {
        _aws = aws;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await RunAsync(Settings("v1"), "app", "remove", _app.Path, "--yes");
        await Docker.Runner.RunAsync(Infrastructure.Processes.CommandSpec.Create("nginx", "-p", Path.Combine(_state.Path, "nginx"), "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RemoveImageAsync(image);
        }

        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task Deploy_CanaryWithVerifyOnAnSsmInstance_ServesTheNewReleaseWithNoFailedRequest()
    {
        var first = await RunAsync(Settings("v1"), "deploy", _app.Path, "--port", $"{_port}", "--strategy", "rolling");
        Assert.True(first.Code == ExitCodes.Success, first.Output);

        await using var load = new LoadLoop(_port, pause: TimeSpan.FromMilliseconds(10));
        var second = await RunAsync(Settings("v2"), "deploy", _app.Path, "--port", $"{_port}");
        await load.StopAsync();

        Assert.True(second.Code == ExitCodes.Success, second.Output);
        Assert.Contains("100% of traffic", second.Output, StringComparison.Ordinal);
        Assert.Contains("canary.onInsufficientData is pass", second.Output, StringComparison.Ordinal);
        Assert.Contains("verify passed", second.Output, StringComparison.Ordinal);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} failed: {string.Join("; ", load.FailureSamples)}");
        Assert.True(load.Count("\"version\": \"v2\"") > 0, "v2 never answered");
        using var client = new HttpClient();
        Assert.Contains("\"version\": \"v2\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);

        // Every host command went through SSM Run Command (docker, nginx, curl for the health and verify checks).
        var sent = _aws.Aws.SentCommands.Select(c => c.Commands[0]).ToList();
        Assert.Contains(sent, c => c.Contains("docker", StringComparison.Ordinal) && c.Contains(_name, StringComparison.Ordinal));
        Assert.Contains(sent, c => c.Contains("nginx", StringComparison.Ordinal));
        Assert.Contains(sent, c => c.Contains("curl", StringComparison.Ordinal));
    }

    private Dictionary<string, string?> Settings(string version) => new()
    {
        ["database:path"] = Path.Combine(_state.Path, "records", "deploymind.db"),
        ["nginx:prefix"] = Path.Combine(_state.Path, "nginx"),
        ["app"] = _name,
        ["environments:production:strategy"] = "canary",
        ["environments:production:canary:steps:0"] = "50",
        ["environments:production:canary:steps:1"] = "100",
        ["environments:production:canary:stepDuration"] = "3s",
        ["environments:production:canary:minRequests"] = "10",
        // A 3 s step is far too short for the judge to show the canary within a point of the stable (it asks for a few
        // thousand requests); this test is about the path through SSM, so the undecided step goes on, and says so.
        ["environments:production:canary:onInsufficientData"] = "pass",
        ["environments:production:env:clear:APP_VERSION"] = version,
        ["environments:production:healthCheck:interval"] = "250ms",
        ["environments:production:healthCheck:timeout"] = "2s",
        ["environments:production:healthCheck:successes"] = "2",
        ["environments:production:healthCheck:deadline"] = "60s",
        ["environments:production:verify:interval"] = "250ms",
        ["environments:production:target:docker:drain"] = "1s",
        ["environments:production:target:docker:hosts:0:name"] = "ssm-web",
        ["environments:production:target:docker:hosts:0:ssm:instance"] = FakeAwsFixture.InstanceId,
        ["environments:production:target:docker:hosts:0:ssm:s3Bucket"] = FakeAwsFixture.Bucket,
        ["environments:production:target:docker:hosts:0:ssm:s3Prefix"] = "pipeline",
    };

    private async Task<(int Code, string Output)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var factory = new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null)
        {
            // The host's AWS clients talk to the loopback fake (one set per CLI host, disposed with it).
            Replacements = services => services.Replace(ServiceDescriptor.Singleton(_ => _aws.Aws.Clients())),
        };
        var code = await DeployMindCli.RunAsync(args, console, factory, CancellationToken.None);
        return (code, console.Output);
    }
}
