using DeployMind.Application.Deploy.Secrets;
using DeployMind.Application.Security;
using DeployMind.Infrastructure.Security;

namespace DeployMind.UnitTests.Secrets;

/// <summary>Resolving <c>env.secret</c> from the sources in order, the missing-secret message and redaction.</summary>
public sealed class SecretResolverTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-secrets-");
    private readonly string _value = "val-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task ResolveAsync_TwoSources_FirstThatHasASecretGivesItAndClearValuesStay()
    {
        var file = EnvFile($"# comment\nexport API_KEY=\"{_value}\"\nDB_URL=from-file\n");
        var store = new FakeLookup(SecretSourceKind.Doppler, new() { ["DB_URL"] = "from-store", ["TOKEN"] = "tok-from-store" });
        var values = new SecretValues();
        var environment = new AppEnvironment(
            new Dictionary<string, string> { ["MODE"] = "live" }, ["API_KEY", "DB_URL", "TOKEN"],
            [new SecretSource(SecretSourceKind.EnvFile, file), new SecretSource(SecretSourceKind.Doppler)]);

        var resolved = await new SecretResolver([new EnvFileSecretLookup(), store], values).ResolveAsync(environment, CancellationToken.None);

        Assert.Equal(
            new Dictionary<string, string> { ["API_KEY"] = _value, ["DB_URL"] = "from-file", ["MODE"] = "live", ["TOKEN"] = "tok-from-store" },
            resolved);
        Assert.Equal([["TOKEN"]], store.Asked);
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public async Task ResolveAsync_MissingSecret_NamesItAndEveryPlaceLookedIn()
    {
        var missingFile = Path.Combine(_dir.FullName, "absent.env");
        var environment = new AppEnvironment(
            new Dictionary<string, string>(), ["DM_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()],
            [new SecretSource(SecretSourceKind.Environment), new SecretSource(SecretSourceKind.EnvFile, missingFile),
             new SecretSource(SecretSourceKind.AwsParameter, "/shop/{name}") { Region = "eu-west-1" }]);
        var name = environment.Secrets[0];

        var ex = await Assert.ThrowsAsync<MissingSecretException>(() => new SecretResolver(
            [new EnvironmentSecretLookup(), new EnvFileSecretLookup(), new FakeLookup(SecretSourceKind.AwsParameter, [])], new SecretValues())
            .ResolveAsync(environment, CancellationToken.None));

        Assert.Equal(
            $"A secret is missing, so nothing was deployed: {name}: looked in the deploying process's environment (${name}), "
            + $"env file {missingFile} (no such file), AWS SSM parameter /shop/{name} in eu-west-1.",
            ex.Message);
    }

    [Fact]
    public async Task ResolveAsync_ProcessEnvironment_GivesTheVariable()
    {
        var name = "DM_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, _value);
        try
        {
            var environment = new AppEnvironment(new Dictionary<string, string>(), [name], [new SecretSource(SecretSourceKind.Environment)]);

            var resolved = await new SecretResolver([new EnvironmentSecretLookup()], new SecretValues()).ResolveAsync(environment, CancellationToken.None);

            Assert.Equal(_value, resolved[name]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task ResolveAsync_MultiLineValue_IsRefusedWithoutShowingIt()
    {
        var environment = new AppEnvironment(new Dictionary<string, string>(), ["KEY"], [new SecretSource(SecretSourceKind.Doppler)]);

        var ex = await Assert.ThrowsAsync<MissingSecretException>(() => new SecretResolver(
            [new FakeLookup(SecretSourceKind.Doppler, new() { ["KEY"] = _value + "\n" + _value })], new SecretValues())
            .ResolveAsync(environment, CancellationToken.None));

        Assert.Contains("KEY", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redact_ResolvedValue_IsMaskedByTheJobsRedactor()
    {
        var values = new SecretValues();
        var environment = new AppEnvironment(new Dictionary<string, string>(), ["KEY"], [new SecretSource(SecretSourceKind.Doppler)]);
        await new SecretResolver([new FakeLookup(SecretSourceKind.Doppler, new() { ["KEY"] = _value })], values).ResolveAsync(environment, CancellationToken.None);

        var redacted = new SecretTextRedactor(values).Redact($"advisor saw KEY={_value} in the output");

        Assert.DoesNotContain(_value, redacted, StringComparison.Ordinal);
        Assert.Contains("***", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EnvFile_ReadsQuotedExportedAndSkipsComments()
    {
        var values = EnvFileSecretLookup.Parse("# x\n\nexport A='a b'\r\nB=\"c=d\"\nC=plain # kept\nnot a line\n");

        Assert.Equal(new Dictionary<string, string> { ["A"] = "a b", ["B"] = "c=d", ["C"] = "plain # kept" }, values);
    }

    private string EnvFile(string content)
    {
        var path = Path.Combine(_dir.FullName, "app.env");
        File.WriteAllText(path, content);
        return path;
    }

    private sealed class FakeLookup(SecretSourceKind kind, Dictionary<string, string> values) : ISecretLookup
    {
        public List<string[]> Asked { get; } = [];

        public bool Reads(SecretSourceKind of) => of == kind;

        public Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            Asked.Add([.. names]);
            return Task.FromResult(new SecretLookupResult(names.Where(values.ContainsKey).ToDictionary(n => n, n => values[n])));
        }
    }
}
