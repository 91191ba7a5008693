using DeployMind.Application.Deploy.Secrets;
using DeployMind.Infrastructure.Processes;
using DeployMind.Infrastructure.Secrets;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.UnitTests.Secrets;

/// <summary>1Password, Bitwarden and Doppler through their CLIs: fake CLIs written by the test, run as real processes.</summary>
public sealed class CliSecretLookupTests : IDisposable
{
    private readonly DirectoryInfo _bin = Directory.CreateTempSubdirectory("dm-cli-");
    private readonly string _value = "val-" + Guid.NewGuid().ToString("N");
    private readonly LocalProcessRunner _runner = new(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

    public void Dispose() => _bin.Delete(recursive: true);

    [Fact]
    public async Task LookupAsync_OnePassword_ReadsTheReferenceWithOpRead()
    {
        Script("op", $"""
            [ "$1 $2" = "read --no-newline" ] || exit 2
            case "$3" in op://Prod/shop/API_KEY) printf '%s' '{_value}' ;; *) echo "[ERROR] could not read secret '$3': item not found" >&2; exit 1 ;; esac
            """);

        var result = await Lookup().LookupAsync(new SecretSource(SecretSourceKind.OnePassword, "op://Prod/shop/{name}"), ["API_KEY", "OTHER"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = _value }, result.Found);
    }

    [Fact]
    public async Task LookupAsync_Doppler_GetsPlainWithProjectAndConfig()
    {
        Script("doppler", $"""
            if [ "$*" = "secrets get API_KEY --plain --project shop --config prd" ]; then printf '%s\n' '{_value}'; exit 0; fi
            echo "Doppler Error: Could not find requested secret" >&2; exit 1
            """);

        var result = await Lookup().LookupAsync(new SecretSource(SecretSourceKind.Doppler) { Project = "shop", Config = "prd" }, ["API_KEY"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = _value }, result.Found);
    }

    [Fact]
    public async Task LookupAsync_Bitwarden_ReadsTheValueOfTheJson()
    {
        Script("bws", $$"""
            [ "$*" = "secret get 0b8f6c1e-0000-4000-8000-000000000001 --output json" ] || exit 1
            printf '%s\n' '{"object":"secret","id":"0b8f6c1e-0000-4000-8000-000000000001","key":"API_KEY","value":"{{_value}}","note":""}'
            """);
        var source = new SecretSource(SecretSourceKind.Bitwarden) { Ids = new Dictionary<string, string> { ["API_KEY"] = "0b8f6c1e-0000-4000-8000-000000000001" } };

        var result = await Lookup().LookupAsync(source, ["API_KEY", "NO_ID"], CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = _value }, result.Found);
    }

    [Fact]
    public async Task LookupAsync_CliNotInstalled_SaysSoAndFindsNothing()
    {
        var result = await Lookup().LookupAsync(new SecretSource(SecretSourceKind.Doppler), ["API_KEY"], CancellationToken.None);

        Assert.Empty(result.Found);
        Assert.Equal("doppler is not installed (not on PATH)", result.Problem);
    }

    [Fact]
    public void Command_EverySource_KeepsItsOutputOutOfLogsAndNoValueOnTheLine()
    {
        var commands = new[]
        {
            CliSecretLookup.Command(new SecretSource(SecretSourceKind.OnePassword, "op://v/i/{name}"), "A"),
            CliSecretLookup.Command(new SecretSource(SecretSourceKind.Doppler), "A"),
            CliSecretLookup.Command(new SecretSource(SecretSourceKind.Bitwarden) { Ids = new Dictionary<string, string> { ["A"] = "id-1" } }, "A"),
        };

        Assert.All(commands, c => Assert.True(c!.SecretOutput));
        Assert.Equal(["op read --no-newline op://v/i/A", "doppler secrets get A --plain", "bws secret get id-1 --output json"], commands.Select(c => c!.ToString()));
    }

    private CliSecretLookup Lookup() => new(_runner, program => File.Exists(Path.Combine(_bin.FullName, program)) ? Path.Combine(_bin.FullName, program) : null);

    private void Script(string name, string body)
    {
        var path = Path.Combine(_bin.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
