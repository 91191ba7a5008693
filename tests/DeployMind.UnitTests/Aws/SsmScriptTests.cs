using System.Diagnostics;
using System.Text;
using DeployMind.Infrastructure.Aws;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Aws;

/// <summary>The scripts the SSM runner sends, rendered and run by a real sh (no AWS).</summary>
public sealed class SsmScriptTests
{
    [Fact]
    public void Body_CommandWithEnvironmentDirectoryAndInput_RendersEachAsQuotedData()
    {
        var spec = CommandSpec.Create("printf", "%s", "$(id)'x").WithEnvironment("TAG", "v1 `id`") with { WorkingDirectory = "/tmp/it's", StandardInput = "hi\n" };

        var body = SsmScript.Body(spec);

        Assert.Equal(
            "export TAG='v1 `id`'\n"
            + "cd '/tmp/it'\\''s' || exit 1\n"
            + "printf '%s' '" + Convert.ToBase64String(Encoding.UTF8.GetBytes("hi\n")) + "' | base64 -d | 'printf' '%s' '$(id)'\\''x'\n",
            body);
    }

    [Fact]
    public void Body_NoInput_ReadsDevNull()
    {
        Assert.Equal("'cat' </dev/null\n", SsmScript.Body(CommandSpec.Create("cat")));
    }

    [Fact]
    public async Task Body_RunBySh_PassesHostileArgumentsEnvironmentAndInputVerbatim()
    {
        const string Hostile = "$(echo pwned) `echo pwned` '; echo pwned; ' \"dq\" \\ \n second";
        var spec = CommandSpec.Create("sh", "-c", "printf '[%s][%s]' \"$1\" \"$V\"; cat", "sh", Hostile).WithEnvironment("V", Hostile) with { StandardInput = Hostile };

        var output = await RunShAsync(SsmScript.Body(spec));

        Assert.Equal($"[{Hostile}][{Hostile}]{Hostile}", output);
    }

    [Fact]
    public void Bootstrap_QuotesThePresignedUrlAndFailsWithItsOwnExitCode()
    {
        var script = SsmScript.Bootstrap(new Uri("https://bucket.s3.amazonaws.com/p/x.sh?X-Amz-Signature=abc&X-Amz-Expires=900"));

        Assert.Contains("curl -fsS --retry 3 --max-time 120 'https://bucket.s3.amazonaws.com/p/x.sh?X-Amz-Signature=abc&X-Amz-Expires=900'", script, StringComparison.Ordinal);
        Assert.Contains("exit 125", script, StringComparison.Ordinal);
        Assert.EndsWith("eval \"$__dm_script\"\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputKey_IsSsmsLayoutForRunShellScript()
    {
        Assert.Equal("pre/cmd-1/i-0123456789abcdef0/awsrunShellScript/0.awsrunShellScript/stderr", SsmScript.OutputKey("pre/", "cmd-1", "i-0123456789abcdef0", "stderr"));
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a\n", new[] { "a" })]
    [InlineData("a\n\n  b  \nc", new[] { "a", "", "  b  ", "c" })]
    public void Lines_FinalNewlineEndsALine(string text, string[] expected)
    {
        Assert.Equal(expected, SsmScript.Lines(text));
    }

    private static async Task<string> RunShAsync(string script)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
