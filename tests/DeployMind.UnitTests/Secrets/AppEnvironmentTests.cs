using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Domain;
using Microsoft.Extensions.Configuration;

namespace DeployMind.UnitTests.Secrets;

/// <summary><c>env</c> and <c>secrets</c> of deploymind.yml: binding, the app's and the environment's merged, and their checks.</summary>
public sealed class AppEnvironmentTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-env-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Of_YamlWithAppAndEnvironmentEnv_EnvironmentAddsAndOverrides()
    {
        var app = Bind("""
            app: shop
            env:
              clear: { LOG_LEVEL: info, REGION: eu }
              secret: [ DATABASE_URL, API_KEY ]
            secrets:
              sources:
                - env: true
                - envFile: /etc/deploymind/shop.env
            environments:
              production:
                env:
                  clear: { LOG_LEVEL: warn, API_KEY: public-in-prod }
                  secret: [ STRIPE_KEY ]
            """);

        var environment = AppEnvironment.Of(app, "production", Path.Combine(_dir.FullName, "shop"));

        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = "public-in-prod", ["LOG_LEVEL"] = "warn", ["REGION"] = "eu" }, environment.Clear);
        Assert.Equal(["DATABASE_URL", "STRIPE_KEY"], environment.Secrets);
        Assert.Equal([(SecretSourceKind.Environment, null), (SecretSourceKind.EnvFile, "/etc/deploymind/shop.env")], environment.Sources.Select(s => (s.Kind, s.Location)));
    }

    [Fact]
    public void Of_EnvironmentSources_ReplaceTheAppsAndReadEveryKind()
    {
        var app = Bind("""
            secrets: { sources: [ { env: true } ] }
            environments:
              staging:
                secrets:
                  sources:
                    - aws: { region: eu-west-1, parameter: "/shop/staging/{name}" }
                    - secretsManager: { endpoint: "http://127.0.0.1:4566", secretId: "shop/{name}" }
                    - op: { reference: "op://Staging/shop/{name}" }
                    - bitwarden: { ids: { API_KEY: 0b8f6c1e-0000-4000-8000-000000000001 } }
                    - doppler: { project: shop, config: stg }
            """);

        var sources = AppEnvironment.Of(app, "staging", _dir.FullName).Sources;

        Assert.Equal(
            [SecretSourceKind.AwsParameter, SecretSourceKind.AwsSecretsManager, SecretSourceKind.OnePassword, SecretSourceKind.Bitwarden, SecretSourceKind.Doppler],
            sources.Select(s => s.Kind));
        Assert.Equal("/shop/staging/API_KEY", sources[0].NameOf("API_KEY"));
        Assert.Equal("eu-west-1", sources[0].Region);
        Assert.Equal("http://127.0.0.1:4566", sources[1].Endpoint);
        Assert.Equal("op://Staging/shop/API_KEY", sources[2].NameOf("API_KEY"));
        Assert.Equal(("shop", "stg"), (sources[4].Project, sources[4].Config));
    }

    [Fact]
    public void Of_NoSources_IsTheProcessEnvironment()
    {
        var app = Bind("env: { secret: [ API_KEY ] }");

        Assert.Equal([SecretSourceKind.Environment], AppEnvironment.Of(app, "production", _dir.FullName).Sources.Select(s => s.Kind));
    }

    [Theory]
    [InlineData("env: { clear: { PORT: '80' } }", "env.clear: PORT is set by DeployMind")]
    [InlineData("env: { secret: [ 9LIVES ] }", "env.secret: '9LIVES' is not an environment variable name")]
    [InlineData("env: { clear: { A_KEY: x }, secret: [ A_KEY ] }", "env.secret: A_KEY is in env.clear too")]
    [InlineData("secrets: { sources: [ { envFile: shop.env } ] }", "secrets.sources[0].envFile: 'shop.env' is relative")]
    [InlineData("secrets: { sources: [ { env: true, envFile: /etc/x.env } ] }", "secrets.sources[0]: set exactly one of")]
    [InlineData("secrets: { sources: [ { op: { reference: Prod/shop } } ] }", "secrets.sources[0].op.reference: 'Prod/shop' is not a 1Password secret reference")]
    [InlineData("secrets: { sources: [ { aws: { endpoint: 'ftp://x' } } ] }", "secrets.sources[0].aws.endpoint: 'ftp://x' is not an http(s) URL")]
    public void Of_InvalidSetting_NamesItsKey(string yaml, string expected)
    {
        var ex = Assert.Throws<InvalidInputException>(() => AppEnvironment.Of(Bind(yaml), "production", _dir.FullName));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_EnvFileInsideTheAppFolder_IsRefused()
    {
        var appPath = Path.Combine(_dir.FullName, "shop");
        var app = Bind($"secrets: {{ sources: [ {{ envFile: {Path.Combine(appPath, ".env")} }} ] }}");

        var ex = Assert.Throws<InvalidInputException>(() => AppEnvironment.Of(app, "production", appPath));

        Assert.Contains("inside the app's folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKeys_EnvAndSecretsKeys_AreKnown()
    {
        var file = Write("""
            env: { clear: { A: b }, secret: [ C ] }
            secrets: { sources: [ { env: true }, { envFile: /etc/x.env }, { aws: { region: r, parameter: p } }, { secretsManager: { secretId: s } }, { op: { reference: op://v/i/f } }, { bitwarden: { ids: { C: i } } }, { doppler: { project: p, config: c } } ] }
            environments: { production: { env: { clear: { D: e } }, secrets: { sources: [ { env: true } ] } } }
            """);
        var configuration = new ConfigurationBuilder().AddYamlFile(file).Build();
        var checker = new ConfigurationChecker(configuration, new Configuration.FakeConfigurationLocator(), [new BoundSection(string.Empty, typeof(AppOptions))]);

        Assert.Empty(checker.UnknownKeys());
        Assert.Empty(checker.InvalidValues());
    }

    private AppOptions Bind(string yaml)
    {
        var options = new AppOptions();
        new ConfigurationBuilder().AddYamlFile(Write(yaml)).Build().Bind(options);
        return options;
    }

    private string Write(string yaml)
    {
        var file = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".yml");
        File.WriteAllText(file, yaml);
        return file;
    }
}
