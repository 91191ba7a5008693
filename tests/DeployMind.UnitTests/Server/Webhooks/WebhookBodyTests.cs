using System.Security.Cryptography;
using System.Text;
using DeployMind.Server.Webhooks;

namespace DeployMind.UnitTests.Server.Webhooks;

public sealed class WebhookBodyTests
{
    private static readonly byte[][] Keys = [Encoding.UTF8.GetBytes("current"), Encoding.UTF8.GetBytes("previous")];

    [Theory]
    [InlineData(0, 1024)]
    [InlineData(100, 1024)]
    [InlineData(1024, 1024)]
    [InlineData(300_000, 1024)]
    [InlineData(300_000, 1024 * 1024)]
    public async Task ReadAsync_AnyLength_KeepsTheExactBytes_AndTheirHmacUnderEachKey(int length, int memoryBytes)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);

        await using var body = await WebhookBody.ReadAsync(new TrickleStream(bytes), Keys, 25 * 1024 * 1024, memoryBytes, CancellationToken.None);

        Assert.NotNull(body);
        Assert.Equal(length, body.Length);
        Assert.Equal(length > memoryBytes, body.Spilled);
        Assert.Equal(bytes, await body.ToArrayAsync(CancellationToken.None));
        Assert.Equal([HMACSHA256.HashData(Keys[0], bytes), HMACSHA256.HashData(Keys[1], bytes)], body.Macs);
    }

    [Fact]
    public async Task ReadAsync_OverTheLimit_IsNull_AndStopsReading()
    {
        var stream = new TrickleStream(new byte[10_000]);

        var body = await WebhookBody.ReadAsync(stream, Keys, 4096, 1024, CancellationToken.None);

        Assert.Null(body);
        Assert.True(stream.Position < 10_000, $"read {stream.Position} bytes");
    }

    [Fact]
    public async Task Dispose_DeletesTheTemporaryFile()
    {
        var before = Spills();
        var body = await WebhookBody.ReadAsync(new TrickleStream(new byte[50_000]), Keys, 100_000, 1024, CancellationToken.None);
        Assert.True(body!.Spilled);
        var during = Spills();
        var file = Assert.Single(during.Except(before));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        await body.DisposeAsync();

        Assert.False(File.Exists(file));

        static HashSet<string> Spills() => [.. Directory.GetFiles(Path.GetTempPath(), "deploymind-webhook-*.tmp")];
    }

    [Theory]
    [InlineData("sha256=" + "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF", true)]
    [InlineData("SHA256=" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("sha256=", false)]
    [InlineData("sha1=00112233445566778899aabbccddeeff00112233", false)]
    [InlineData("sha256=" + "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", false)]
    [InlineData("sha256=" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddee", false)]
    public void TryParse_OnlySha256AndSixtyFourHexDigits(string? header, bool expected)
    {
        var claimed = new byte[WebhookSignature.Length];
        Assert.Equal(expected, WebhookSignature.TryParse(header, claimed));
    }

    [Fact]
    public void Matches_AnyOfTheSecrets_NotAnotherValue()
    {
        var body = "{}"u8.ToArray();
        var macs = new[] { HMACSHA256.HashData(Keys[0], body), HMACSHA256.HashData(Keys[1], body) };

        Assert.True(WebhookSignature.Matches(macs[1], macs));
        Assert.False(WebhookSignature.Matches(HMACSHA256.HashData("other"u8, body), macs));
    }

    /// <summary>A request body as Kestrel hands it over: a few bytes at a time.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7_001)], cancellationToken);
    }
}
