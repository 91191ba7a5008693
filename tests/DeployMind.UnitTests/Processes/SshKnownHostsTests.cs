using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Processes;

public sealed class SshKnownHostsTests
{
    // Real keys and a real `ssh-keygen -H` output (OpenSSH 9.2), so the hashed format is OpenSSH's, not ours.
    private const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRJM5Rkd0Wc+1+NkXieqlFkTuoIhpm1S33KaOVIrrTl";
    private const string OtherEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKt8i8wA8AFxKZ/oEgetGCZeUUbbRtkg9KbbP6ibmzJK";
    private const string Ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBK1+iup0HHzmP0JfjXV5loAWvRJNIBWT0WVr9lcLit+ua1mIVx7Bl/adssywbS023Bo7DJkFDy48uogtyXO5BtE=";
    private const string Rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDVvt6Zuv9O8R1hw/VvxC0JnQUSSHodu0UrqxAEHs78Jl97mST+8rH0g7T3ROV5AMqt8UdvfOOjxlvWSje+HW1efITs3boZS6IAYgjLfVzGEBB4Vqo8pMUe14l/Fss4zWGrwph8mqoHwc8E+MWefV0SQ62df3R8vhtLoGY3K49pqxzeqWLXv/2m95v2MW151JJkqUg2axcGfI4hmNZJuubUkQNy3EVumuiKCUM4GjnIG3ygu52QGt2moFY0GSg21WuRng6p1tMU4vW8m5LbHRR6dRnPbblce+UlccFIIPwSllXuNJmIvcHXbNRT/Xw+KQRlaNwMRsbPumBMyQona4fF";

    // `ssh-keygen -H` of "web-1.example.com <Ed25519>" and "[203.0.113.10]:2222 <Ecdsa>".
    private const string HashedEd25519 = "|1|7V1aF3LS76ucD6EsklG4tcGYFW8=|edyOAZr0UJwPWU7b4IEp7ts3I0o= " + Ed25519;
    private const string HashedEcdsa = "|1|YWweBx3tNNVgQ7v3uFNA5v2VqSI=|KTdTLOhvCCBKSVLBhIqYf8DJSN0= " + Ecdsa;

    [Fact]
    public void Verify_PlainEntryWithSameKey_IsTrusted()
    {
        var hosts = Parse($"web-1.example.com,203.0.113.10 {Ed25519} deploy@laptop");

        var verdict = hosts.Verify("web-1.example.com", 22, Blob(Ed25519));

        Assert.Equal(HostKeyStatus.Trusted, verdict.Status);
        Assert.Equal("ssh-ed25519", verdict.KeyType);
        Assert.Equal(1, verdict.Line);
        Assert.Equal(HostKeyStatus.Trusted, hosts.Verify("203.0.113.10", 22, Blob(Ed25519)).Status);
    }

    [Fact]
    public void Verify_HostNameCase_IsIgnored()
    {
        var hosts = Parse($"Web-1.Example.com {Ed25519}");

        Assert.Equal(HostKeyStatus.Trusted, hosts.Verify("WEB-1.example.COM", 22, Blob(Ed25519)).Status);
    }

    [Fact]
    public void Verify_BracketedPortEntry_MatchesOnlyThatPort()
    {
        var hosts = Parse($"[127.0.0.1]:2222 {Ed25519}");

        Assert.Equal(HostKeyStatus.Trusted, hosts.Verify("127.0.0.1", 2222, Blob(Ed25519)).Status);
        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("127.0.0.1", 22, Blob(Ed25519)).Status);
        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("127.0.0.1", 2200, Blob(Ed25519)).Status);
    }

    [Fact]
    public void Verify_BareEntry_DoesNotCoverOtherPorts()
    {
        // OpenSSH looks up "[host]:port" for any port but 22, so a bare entry is for port 22 only.
        var hosts = Parse($"127.0.0.1 {Ed25519}");

        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("127.0.0.1", 2222, Blob(Ed25519)).Status);
    }

    [Fact]
    public void Verify_HashedEntriesFromSshKeygen_AreTrusted()
    {
        var hosts = Parse(HashedEd25519 + "\n" + HashedEcdsa + "\n");

        Assert.Equal(HostKeyStatus.Trusted, hosts.Verify("web-1.example.com", 22, Blob(Ed25519)).Status);
        var ecdsa = hosts.Verify("203.0.113.10", 2222, Blob(Ecdsa));
        Assert.Equal(HostKeyStatus.Trusted, ecdsa.Status);
        Assert.Equal(2, ecdsa.Line);
        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("web-2.example.com", 22, Blob(Ed25519)).Status);
        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("203.0.113.10", 22, Blob(Ecdsa)).Status);
    }

    [Fact]
    public void Hash_Name_MatchesItsOwnOutput()
    {
        var line = SshKnownHosts.Hash("[203.0.113.5]:2200", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

        Assert.StartsWith("|1|", line, StringComparison.Ordinal);
        Assert.True(SshKnownHosts.Matches(line, "[203.0.113.5]:2200"));
        Assert.False(SshKnownHosts.Matches(line, "203.0.113.5"));
    }

    [Fact]
    public void Verify_SameTypeDifferentKey_IsMismatchWithLine()
    {
        var hosts = Parse($"# servers\n\n[127.0.0.1]:2222 {OtherEd25519}\n");

        var verdict = hosts.Verify("127.0.0.1", 2222, Blob(Ed25519));

        Assert.Equal(HostKeyStatus.Mismatch, verdict.Status);
        Assert.Equal(3, verdict.Line);
    }

    [Fact]
    public void Verify_HashedEntryWithDifferentKey_IsMismatch()
    {
        var hosts = Parse(HashedEd25519);

        Assert.Equal(HostKeyStatus.Mismatch, hosts.Verify("web-1.example.com", 22, Blob(OtherEd25519)).Status);
    }

    [Fact]
    public void Verify_OnlyOtherKeyTypesKnown_IsUnknownAndListsThem()
    {
        var hosts = Parse($"web-1 {Rsa}\nweb-1 {Ecdsa}");

        var verdict = hosts.Verify("web-1", 22, Blob(Ed25519));

        Assert.Equal(HostKeyStatus.Unknown, verdict.Status);
        Assert.Equal(["ssh-rsa", "ecdsa-sha2-nistp256"], verdict.KnownKeyTypes);
        Assert.Equal(HostKeyStatus.Trusted, hosts.Verify("web-1", 22, Blob(Rsa)).Status);
    }

    [Fact]
    public void Verify_RevokedKey_IsRevokedEvenWithATrustedEntry()
    {
        var hosts = Parse($"web-1 {Ed25519}\n@revoked * {Ed25519}");

        var verdict = hosts.Verify("web-1", 22, Blob(Ed25519));

        Assert.Equal(HostKeyStatus.Revoked, verdict.Status);
        Assert.Equal(2, verdict.Line);
    }

    [Fact]
    public void Verify_CertAuthorityLine_IsNotAHostKey()
    {
        var hosts = Parse($"@cert-authority *.example.com {Ed25519}");

        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("web-1.example.com", 22, Blob(Ed25519)).Status);
    }

    [Theory]
    [InlineData("*.example.com", "web-1.example.com", true)]
    [InlineData("web-?.example.com", "web-7.example.com", true)]
    [InlineData("web-?.example.com", "web-10.example.com", false)]
    [InlineData("*.example.com,!db.example.com", "db.example.com", false)]
    [InlineData("!db.example.com,*.example.com", "web.example.com", true)]
    [InlineData("[203.0.113.*]:2222", "[203.0.113.9]:2222", true)]
    [InlineData("example.com", "www.example.com", false)]
    public void Matches_Pattern_FollowsOpenSsh(string patterns, string name, bool expected)
    {
        Assert.Equal(expected, SshKnownHosts.Matches(patterns, name));
    }

    [Fact]
    public void Parse_CommentsBlankAndMalformedLines_AreSkipped()
    {
        var hosts = Parse($"# comment\n\n   \nonly-two-fields ssh-ed25519\nbad-base64 ssh-ed25519 !!!notbase64\n@unknown-marker web-1 {Ed25519}\nweb-1\t{Ed25519}  comment with spaces\r\n");

        var entry = Assert.Single(hosts.Entries);
        Assert.Equal(7, entry.Line);
        Assert.Equal("ssh-ed25519", entry.KeyType);
    }

    [Fact]
    public void KeyTypeOf_Blob_ReadsTheFirstString()
    {
        Assert.Equal("ssh-rsa", SshKnownHosts.KeyTypeOf(Blob(Rsa)));
        Assert.Equal("ecdsa-sha2-nistp256", SshKnownHosts.KeyTypeOf(Blob(Ecdsa)));
        Assert.Null(SshKnownHosts.KeyTypeOf([0, 0, 0]));
        Assert.Null(SshKnownHosts.KeyTypeOf([0, 0, 1, 0, 65]));
    }

    [Theory]
    [InlineData("web-1", 22, "web-1")]
    [InlineData("Web-1", 2222, "[web-1]:2222")]
    [InlineData("2001:db8::1", 2200, "[2001:db8::1]:2200")]
    public void LookupName_HostAndPort_IsOpenSshForm(string host, int port, string expected)
    {
        Assert.Equal(expected, SshKnownHosts.LookupName(host, port));
    }

    [Fact]
    public void Load_MissingFile_HasNoEntries()
    {
        var hosts = SshKnownHosts.Load(Path.Combine(Path.GetTempPath(), "dm-no-such-known-hosts-" + Guid.NewGuid().ToString("N")));

        Assert.False(hosts.Exists);
        Assert.Empty(hosts.Entries);
        Assert.Equal(HostKeyStatus.Unknown, hosts.Verify("web-1", 22, Blob(Ed25519)).Status);
    }

    private static SshKnownHosts Parse(string content) => SshKnownHosts.Parse("/home/deploy/.ssh/known_hosts", content);

    private static byte[] Blob(string publicKey) => Convert.FromBase64String(publicKey.Split(' ')[1]);
}
