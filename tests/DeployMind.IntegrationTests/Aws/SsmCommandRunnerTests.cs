using System.Text;
using DeployMind.Infrastructure.Aws;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Aws;

/// <summary>
/// What only the SSM runner does, through the real AWSSDK clients against the loopback fake (<see cref="FakeAws"/>):
/// the invocation that does not exist yet, output past SSM's inline limits, CancelCommand, secrets and large input through S3.
/// </summary>
public sealed class SsmCommandRunnerTests : IClassFixture<FakeAwsFixture>, IDisposable
{
    private const string Secret = "s3cr3t-Ssm-T0ken-Value"; // deploymind:allow (test data)

    private readonly FakeAwsFixture _aws;
    private readonly CapturingLoggerProvider _logs = new();
    private readonly LoggerFactory _loggers;
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("dm-ssm-");

    public SsmCommandRunnerTests(FakeAwsFixture aws)
    {
        _aws = aws;
        _loggers = new LoggerFactory([_logs], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
    }

    private FakeAws Fake => _aws.Aws;

    public void Dispose()
    {
        _loggers.Dispose();
        _logs.Dispose();
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task RunAsync_InvocationNotYetKnownForSeveralPolls_IsPendingNotAnError()
    {
        var fake = await FakeAws.StartAsync();
        await using var _ = fake;
        fake.AddInstance(new FakeAwsInstance(FakeAwsFixture.InstanceId));
        fake.MissingPolls = 4;
        using var clients = fake.Clients();
        using var runner = new SsmCommandRunner(FakeAwsFixture.Target(withBucket: false), clients.Ssm(null), null, _loggers.CreateLogger<SsmCommandRunner>(), TimeProvider.System);

        var result = await runner.RunAsync(CommandSpec.Create("echo", "hello"), null, CancellationToken.None);

        Assert.Equal("hello\n", result.StandardOutput);
        Assert.True(fake.Calls.Count(c => c == "AmazonSSM.GetCommandInvocation") > 4);
    }

    [Fact]
    public async Task RunAsync_OutputPastTheInlineLimitsWithABucket_ReadsTheFullStreamsFromS3()
    {
        using var runner = Runner(withBucket: true);

        var result = await runner.RunAsync(CommandSpec.Create("sh", "-c", "seq 1 20000; seq 1 5000 >&2"), null, CancellationToken.None);

        Assert.Equal(Numbers(20_000), result.StandardOutput);
        Assert.Equal(Numbers(5_000), result.StandardError);
        Assert.True(Numbers(20_000).Length > SsmCommandRunner.StandardOutputLimit);
        var sent = Fake.SentCommands[^1];
        Assert.Equal(FakeAwsFixture.Bucket, sent.OutputS3BucketName);
        Assert.Equal("runs", sent.OutputS3KeyPrefix);
        Assert.Contains($"s3:GET {FakeAwsFixture.Bucket}/runs/{sent.CommandId}/{FakeAwsFixture.InstanceId}/awsrunShellScript/0.awsrunShellScript/stdout", Fake.Calls);
    }

    [Theory]
    [InlineData("seq 1 20000", "standard output", "24,000")]
    [InlineData("seq 1 5000 >&2", "standard error", "8,000")]
    public async Task RunAsync_OutputPastTheInlineLimitsWithoutABucket_FailsSayingWhatWasLostAndWhatToSet(string script, string stream, string limit)
    {
        using var runner = Runner(withBucket: false);

        var ex = await Assert.ThrowsAsync<SsmCommandException>(() => runner.RunAsync(CommandSpec.Create("sh", "-c", script), null, CancellationToken.None));

        Assert.Contains($"more {stream} than SSM returns inline ({limit} characters)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"everything past the first {limit} characters was lost", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Set s3Bucket", ex.Message, StringComparison.Ordinal);
        Assert.Null(Fake.SentCommands[^1].OutputS3BucketName);
    }

    [Fact]
    public async Task RunAsync_Timeout_CancelsTheCommandThroughSsm()
    {
        using var runner = _aws.Runner(_loggers, FakeAwsFixture.Target(commandTimeout: TimeSpan.FromSeconds(1)));
        var marker = Path.Combine(_temp.FullName, "finished");

        var ex = await Assert.ThrowsAsync<SsmCommandTimeoutException>(() => runner.RunAsync(CommandSpec.Create("sh", "-c", "sleep 20; touch \"$1\"", "sh", marker), null, CancellationToken.None));

        Assert.Contains("1 s command timeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CancelCommand", ex.Message, StringComparison.Ordinal);
        var sent = Fake.SentCommands[^1];
        Assert.Contains(sent.CommandId, Fake.CancelledCommands);
        Assert.Equal(61, sent.ExecutionTimeoutSeconds); // SSM's own deadline backs DeployMind's up
    }

    [Fact]
    public async Task RunAsync_Cancelled_CancelsTheCommandThroughSsmAndKillsIt()
    {
        using var runner = Runner(withBucket: false);
        using var cts = new CancellationTokenSource();
        var started = Path.Combine(_temp.FullName, "started");
        var finished = Path.Combine(_temp.FullName, "finished");

        var run = runner.RunAsync(CommandSpec.Create("sh", "-c", "touch \"$1\"; sleep 5; touch \"$2\"", "sh", started, finished), null, cts.Token);
        while (!File.Exists(started))
        {
            await Task.Delay(20);
        }

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Contains(Fake.SentCommands[^1].CommandId, Fake.CancelledCommands);
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.False(File.Exists(finished), "the cancelled command went on running");
    }

    [Fact]
    public async Task RunAsync_Secrets_TravelThroughS3NeverInTheSendCommandParameters()
    {
        using var runner = Runner(withBucket: true);
        var spec = CommandSpec.Create("sh", "-c", "cat; echo \"arg=$1 env=$TOKEN\"", "sh", Secret).WithEnvironment("TOKEN", Secret).WithSecret(Secret) with
        {
            StandardInput = $"PASSWORD={Secret}\n",
        };

        var result = await runner.RunAsync(spec, null, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("PASSWORD=***\narg=*** env=***\n", result.StandardOutput);
        var sent = Fake.SentCommands[^1];
        Assert.DoesNotContain(Secret, sent.ParametersJson, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"PASSWORD={Secret}\n")), sent.ParametersJson, StringComparison.Ordinal);
        Assert.Contains("curl -fsS", sent.Commands[0], StringComparison.Ordinal);
        var put = Assert.Single(Fake.Puts, p => p.Path.Contains("/runs/deploymind-payload/", StringComparison.Ordinal) && sent.Commands[0].Contains(p.Path.Split('/')[^1], StringComparison.Ordinal));
        Assert.Equal("AES256", put.ServerSideEncryption);
        Assert.DoesNotContain(put.Path, Fake.Objects.Keys); // deleted after the command
        Assert.DoesNotContain(Secret, _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecretsWithoutABucket_RefusedNamingTheHostAndTheKeyNothingSent()
    {
        using var runner = Runner(withBucket: false);
        var before = Fake.SentCommands.Count;

        var ex = await Assert.ThrowsAsync<SsmCommandException>(() => runner.RunAsync(
            CommandSpec.Create("docker", "login", "--password-stdin") with { StandardInput = Secret, Secrets = [Secret] }, null, CancellationToken.None));

        Assert.Contains(FakeAwsFixture.InstanceId, ex.Message, StringComparison.Ordinal);
        Assert.Contains("carries secrets", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Set s3Bucket", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Fake.SentCommands.Count);
    }

    [Fact]
    public async Task RunAsync_InputAndEnvironmentWithoutSecrets_EmbeddedInTheScriptAsData()
    {
        using var runner = Runner(withBucket: false);
        var spec = CommandSpec.Create("sh", "-c", "cat; printf '%s\\n' \"$APP\"").WithEnvironment("APP", "v1 $(id)") with { StandardInput = "line 'one'\n" };

        var result = await runner.RunAsync(spec, null, CancellationToken.None);

        Assert.Equal("line 'one'\nv1 $(id)\n", result.StandardOutput);
        Assert.Contains("| base64 -d |", Fake.SentCommands[^1].Commands[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HostileArgument_ReachesTheInstanceAsData()
    {
        using var runner = Runner(withBucket: false);
        var marker = Path.Combine(_temp.FullName, "pwned");
        var hostile = $"$(touch {marker})';\"`touch {marker}`";

        var result = await runner.RunAsync(CommandSpec.Create("printf", "%s", hostile), null, CancellationToken.None);

        Assert.Equal(hostile + "\n", result.StandardOutput);
        Assert.False(File.Exists(marker), "a hostile argument ran as code on the instance");
    }

    [Fact]
    public async Task RunAsync_OfflineInstance_FailsNamingTheInstanceAndTheAgent()
    {
        Fake.AddInstance(new FakeAwsInstance("i-0fffffffffffffff0") { Online = false });
        using var runner = _aws.Runner(_loggers, FakeAwsFixture.Target(withBucket: false, instanceId: "i-0fffffffffffffff0"));

        var ex = await Assert.ThrowsAsync<SsmCommandException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Contains("i-0fffffffffffffff0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidInstanceId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SSM agent", ex.Message, StringComparison.Ordinal);
    }

    private static string Numbers(int count) => string.Concat(Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));

    private SsmCommandRunner Runner(bool withBucket) => _aws.Runner(_loggers, FakeAwsFixture.Target(withBucket));
}
