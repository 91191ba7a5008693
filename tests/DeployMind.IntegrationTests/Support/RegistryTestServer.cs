namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// The test registries scripts/services/host2.sh starts (Debian's docker-registry, plain HTTP on loopback), reached at
/// the same addresses from this machine's engine and from host2's (forwarded into its namespace).
/// </summary>
internal static class RegistryTestServer
{
    public const string Directory = "/var/lib/deploymind-test/registry";

    /// <summary>No authentication.</summary>
    public const string Open = "127.0.0.1:5000";

    /// <summary>htpasswd basic authentication: <see cref="User"/> and the password in <see cref="PasswordFile"/>.</summary>
    public const string Authenticated = "127.0.0.1:5001";

    public const string User = "deploymind";

    /// <summary>The generated password (root only).</summary>
    public const string PasswordFile = Directory + "/password";

    public static string Password => File.ReadAllText(PasswordFile).Trim();
}
