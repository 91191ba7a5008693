using System.Security.Cryptography;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>
/// <see cref="IStreamingCommandRunner"/>, here and over SSH: bytes written as they are produced reach the command intact
/// (binary, larger than any pipe or channel window), after the command's environment; a command that stops reading ends
/// the write without hanging; a writer that fails is the error reported; only this machine hands output on as bytes.
/// </summary>
public sealed class StreamingRunnerTests
{
    public static TheoryData<string> Runners => ["local", "ssh"];

    [Theory]
    [MemberData(nameof(Runners))]
    public async Task Streamed_input_reaches_the_command_byte_for_byte_after_its_environment(string kind)
    {
        using var owned = Create(kind, out var runner);
        var data = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 123);
        var command = CommandSpec.Create("sh", "-c", "printf '%s ' \"$GREETING\"; sha256sum | cut -d' ' -f1").WithEnvironment("GREETING", "hello there");

        var result = await runner.RunStreamingAsync(
            command,
            async (stream, token) =>
            {
                for (var offset = 0; offset < data.Length; offset += 64 * 1024)
                {
                    await stream.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)), token);
                }
            },
            null,
            CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"hello there {Convert.ToHexStringLower(SHA256.HashData(data))}", result.StandardOutput.Trim());
    }

    [Theory]
    [MemberData(nameof(Runners))]
    public async Task A_command_that_stops_reading_ends_the_write_and_reports_its_exit_code(string kind)
    {
        using var owned = Create(kind, out var runner);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var result = await runner.RunStreamingAsync(
            CommandSpec.Create("sh", "-c", "head -c 10 >/dev/null; echo stopped >&2; exit 3"),
            async (stream, token) =>
            {
                var chunk = new byte[64 * 1024];
                while (true)
                {
                    await stream.WriteAsync(chunk, token);
                }
            },
            null,
            timeout.Token);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("stopped", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runners))]
    public async Task A_writer_that_fails_is_the_error_reported(string kind)
    {
        using var owned = Create(kind, out var runner);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => runner.RunStreamingAsync(
            CommandSpec.Create("sh", "-c", "cat >/dev/null"),
            async (stream, token) =>
            {
                await stream.WriteAsync(new byte[1000], token);
                throw new InvalidDataException("the source broke");
            },
            null,
            CancellationToken.None));

        Assert.Contains("the source broke", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task This_machine_hands_output_on_as_bytes_and_ssh_says_it_cannot()
    {
        var local = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
        using var copy = new MemoryStream();

        var result = await local.RunStreamingAsync(CommandSpec.Create("head", "-c", "300000", "/dev/zero"), null, (output, token) => output.CopyToAsync(copy, token), CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(300000, copy.Length);
        SshTestServer.EnsureRunning();
        using var ssh = SshTestServer.CreateRunner();
        await Assert.ThrowsAsync<NotSupportedException>(() => ssh.RunStreamingAsync(CommandSpec.Create("true"), null, (_, _) => Task.CompletedTask, CancellationToken.None));
    }

    private static SshCommandRunner? Create(string kind, out IStreamingCommandRunner runner)
    {
        if (kind == "local")
        {
            runner = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
            return null;
        }

        SshTestServer.EnsureRunning();
        var ssh = SshTestServer.CreateRunner();
        runner = ssh;
        return ssh;
    }
}
