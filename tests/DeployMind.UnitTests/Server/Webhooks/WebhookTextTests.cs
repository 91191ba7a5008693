using System.Text;
using DeployMind.Server.Webhooks;

namespace DeployMind.UnitTests.Server.Webhooks;

public sealed class WebhookTextTests
{
    [Theory]
    [InlineData("{\"zen\":\"Keep it logically awesome.\"}")]
    [InlineData("{\"zen\":\"caf\u00e9 \u2603 \ud83d\ude00\"}")]
    [InlineData("{\"zen\":\"\\ud83d\\ude00 \\u00e9 \\n\"}")]
    [InlineData("{\"zen\":")]
    [InlineData("not json at all")]
    public void Text_Valid_OrNotJson_HasNoProblem(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Null(WebhookText.Utf8Problem(bytes));
        Assert.Null(WebhookText.JsonStringProblem(bytes));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)'}' }, 2)]
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0xC3 }, 2)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 0)]
    public void Utf8Problem_InvalidBytes_SaysWhere(byte[] bytes, int offset) =>
        Assert.Contains($"not valid UTF-8: the bytes at offset {offset}", WebhookText.Utf8Problem(bytes), StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"zen\":\"\\ud800\"}", 7)]
    [InlineData("{\"a\":[1,{\"b\":\"x\\udc00y\"}]}", 13)]
    [InlineData("{\"\\ud83d\":1}", 1)]
    [InlineData("{\"zen\":\"\\ude00\\ud83d\"}", 7)]
    public void JsonStringProblem_LoneSurrogateEscape_SaysWhere(string json, int offset) =>
        Assert.Contains($"string at offset {offset} whose \\u escapes are not a character (a lone surrogate", WebhookText.JsonStringProblem(Encoding.UTF8.GetBytes(json)), StringComparison.Ordinal);
}
