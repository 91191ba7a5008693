using System.Diagnostics;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Processes;

public sealed class ShellQuoteTests
{
    public static TheoryData<string> HostileStrings => new()
    {
        "main;rm -rf /",
        "$(id)",
        "`id`",
        "a'b",
        "'",
        "''",
        "\"double\" and 'single'",
        "${HOME}",
        "x && echo pwned",
        "x | cat /etc/passwd",
        "line1\nline2",
        "tab\there",
        "back\\slash\\",
        "glob*?[a]",
        "~root",
        "-n",
        "--help",
        "",
        "!history",
        "emoji 🚀 ünïcödé",
        "trailing space ",
        "> /tmp/out",
    };

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void Quote_HostileString_ReachesProgramAsData(string value)
    {
        // A real POSIX shell parses the quoted word; printf prints it back unchanged, nothing runs.
        var printed = RunShell("printf '%s' " + ShellQuote.Quote(value));

        Assert.Equal(value, printed);
    }

    [Fact]
    public void ToShellCommand_HostileArgumentsAndEnvironment_StayData()
    {
        var spec = CommandSpec.Create("printf", "%s|%s|%s", "main;rm -rf /", "$(touch /tmp/deploymind-pwned)", "it's")
            .WithEnvironment("TAG", "$(id)");

        var printed = RunShell(spec.ToShellCommand() + "; printf '|%s' \"$TAG\"");

        Assert.Equal("main;rm -rf /|$(touch /tmp/deploymind-pwned)|it's|", printed);
        Assert.False(File.Exists("/tmp/deploymind-pwned"));
    }

    [Fact]
    public void ToShellCommand_InvalidVariableName_Throws()
    {
        var spec = CommandSpec.Create("true").WithEnvironment("A;B", "x");

        var ex = Assert.Throws<ArgumentException>(spec.ToShellCommand);
        Assert.Contains("A;B", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_NulCharacter_Throws()
    {
        Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));
    }

    [Theory]
    [InlineData("plain-word_1.0", "plain-word_1.0")]
    [InlineData("has space", "'has space'")]
    [InlineData("", "''")]
    [InlineData("a'b", "'a'\\''b'")]
    public void QuoteIfNeeded_Value_QuotesOnlyWhenNeeded(string value, string expected)
    {
        Assert.Equal(expected, ShellQuote.QuoteIfNeeded(value));
    }

    [Fact]
    public void ToString_SecretArgument_IsRedacted()
    {
        var spec = CommandSpec.Create("git", "clone", "https://x-access-token:ghp_abcdef123456@example.com/r.git")
            .WithSecret("ghp_abcdef123456");

        var shown = spec.ToString();

        Assert.DoesNotContain("ghp_abcdef123456", shown, StringComparison.Ordinal);
        Assert.Contains("***", shown, StringComparison.Ordinal);
    }

    private static string RunShell(string line)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(line);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
