using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace DeployMind.IntegrationTests.Domains;

/// <summary>
/// Debian's pebble (Let's Encrypt's ACME test server) and pebble-challtestsrv as scripts/services/pebble.sh runs them
/// on loopback: the ACME directory, the CA bundle for its HTTPS, its issuing root, and DNS answers for the names a
/// test adds (pebble validates HTTP-01 on port <see cref="HttpPort"/> of the address a name resolves to).
/// </summary>
internal static class Pebble
{
    public static readonly Uri Directory = new("https://127.0.0.1:14000/dir");

    /// <summary>The CA of pebble's own HTTPS listener (not of the certificates it issues).</summary>
    public const string ListenerCaBundle = "/var/lib/deploymind-test/pebble/ca.pem";

    /// <summary>The port pebble sends HTTP-01 validations to: nginx's shared HTTP port in these tests.</summary>
    public const int HttpPort = 5002;

    /// <summary>nginx's shared HTTPS port in these tests.</summary>
    public const int HttpsPort = 5443;

    private static readonly Uri ChallengeServer = new("http://127.0.0.1:8055/");

    /// <summary>Makes <paramref name="name"/> resolve to 127.0.0.1 for pebble.</summary>
    public static async Task AddHostAsync(string name)
    {
        using var client = new HttpClient();
        using var response = await client.PostAsJsonAsync(new Uri(ChallengeServer, "add-a"), new { host = name + ".", addresses = new[] { "127.0.0.1" } });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Makes <paramref name="name"/> resolve to nothing for pebble again.</summary>
    public static async Task RemoveHostAsync(string name)
    {
        using var client = new HttpClient();
        using var response = await client.PostAsJsonAsync(new Uri(ChallengeServer, "clear-a"), new { host = name + "." });
    }

    /// <summary>pebble's issuing root (made up at its start), from its management endpoint.</summary>
    public static async Task<X509Certificate2> IssuingRootAsync()
    {
        using var listenerCa = X509CertificateLoader.LoadCertificateFromFile(ListenerCaBundle);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsTo(certificate, listenerCa),
        };
        using var client = new HttpClient(handler);
        var pem = await client.GetStringAsync(new Uri("https://127.0.0.1:15000/roots/0"));
        return X509Certificate2.CreateFromPem(pem);
    }

    /// <summary>
    /// A client for https://&lt;name&gt;:<see cref="HttpsPort"/>/ that connects every name to 127.0.0.1 (SNI and Host stay
    /// the name), trusts only <paramref name="root"/>, opens a new connection per request (each request is a new TLS
    /// handshake, so a renewed certificate is seen at once) and records the serial number each handshake presented.
    /// </summary>
    public static HttpClient HttpsClient(X509Certificate2 root, Action<string>? onCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null || chain is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
                    {
                        return false;
                    }

                    using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    onCertificate?.Invoke(leaf.SerialNumber);

                    // The handshake's chain (with the intermediate the server sent), trusted only up to pebble's root.
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(root);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(leaf);
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
