using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>
/// Random and mutated deliveries against the real endpoint: whatever arrives, the answer is never a 5xx and no job is
/// queued. Bodies are either signed correctly but broken where the event needs them, or changed after signing, or
/// random bytes; headers are dropped, garbled or oversized.
/// </summary>
public sealed class WebhookFuzzTests
{
    private const string Secret = "fuzz-secret";
    private static readonly string[] Fixtures = ["push.with-new-branch.json", "push.json", "pull_request.opened.json", "pull_request.closed.json", "pull_request.synchronize.json", "ping.json"];

    // Fields the events need: breaking any of them must be refused (400), never turned into a job.
    private static readonly string[][] RequiredPaths =
    [
        ["repository"], ["repository", "full_name"], ["ref"], ["after"], ["pull_request"], ["pull_request", "head"], ["pull_request", "head", "sha"],
        ["pull_request", "head", "ref"], ["number"], ["action"],
    ];

    [Fact]
    public async Task ThousandsOfBadDeliveries_NoServerError_NoJob()
    {
        const int Cases = 1500;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?> { ["server:webhookSecret"] = Secret });
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < Cases; i++)
        {
            var (eventName, body, signature, delivery, kind) = Case(random);
            using var request = SignedDelivery.Request(eventName, body, signature, delivery);
            if (random.Next(10) == 0)
            {
                request.Headers.Remove("X-GitHub-Event");
            }

            using var response = await server.Client.SendAsync(request);
            var status = response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True((int)status < 500, $"case {i} ({kind}, event '{eventName}', seed {seed}) answered {(int)status}: {await response.Content.ReadAsStringAsync()}");
            Assert.True(status != HttpStatusCode.Accepted || !(await response.Content.ReadAsStringAsync()).Contains("\"queued\"", StringComparison.Ordinal), $"case {i} ({kind}, seed {seed}) queued a job: {Encoding.UTF8.GetString(body)}");
        }

        foreach (var environment in new[] { "production", "staging", "preview" })
        {
            Assert.Equal(0, (await server.Get<IJobQueue>().StatsAsync(environment, CancellationToken.None)).Waiting);
        }

        Assert.Empty(await server.Get<IDeploymentStore>().ListAsync(new DeploymentQuery(), CancellationToken.None));

        // Each kind of refusal happened: the cases reached every check, not just the first.
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Unauthorized) > 100, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 100, string.Join(", ", statuses));
    }

    private static (string Event, byte[] Body, string? Signature, string? Delivery, string Kind) Case(Random random)
    {
        var fixture = Fixtures[random.Next(Fixtures.Length)];
        var original = SignedDelivery.Fixture(fixture);
        var eventName = fixture.StartsWith("push", StringComparison.Ordinal) ? "push" : fixture.StartsWith("ping", StringComparison.Ordinal) ? "ping" : "pull_request";
        var delivery = random.Next(20) switch
        {
            0 => null,
            1 => new string('x', 500),
            2 => "../../etc/passwd",
            3 => "id with spaces",
            _ => Guid.NewGuid().ToString(),
        };
        switch (random.Next(4))
        {
            case 0:
                // Changed after signing: the signature of the original does not match.
                var changed = Mutate(original, random);
                return (eventName, changed, SignedDelivery.Sign(original, Secret), delivery, "changed after signing");
            case 1:
                // Random bytes, signed: not JSON (or not an object).
                var bytes = new byte[random.Next(0, 2048)];
                random.NextBytes(bytes);
                return (random.Next(3) == 0 ? "ping" : eventName, bytes, SignedDelivery.Sign(bytes, Secret), delivery, "random bytes");
            case 2:
                // Signed, valid JSON, but a field the event needs is missing or of the wrong type.
                if (eventName == "ping")
                {
                    eventName = random.Next(2) == 0 ? "push" : "pull_request";
                }

                var broken = BreakRequiredField(original, eventName, random);
                return (eventName, broken, SignedDelivery.Sign(broken, Secret), delivery, "required field broken");
            default:
                // A signature that is garbage, empty, of another algorithm or under another secret.
                var signature = random.Next(5) switch
                {
                    0 => string.Empty,
                    1 => "sha256=",
                    2 => "sha1=" + Convert.ToHexStringLower(Enumerable.Range(0, 20).Select(_ => (byte)random.Next(256)).ToArray()),
                    3 => SignedDelivery.Sign(original, Secret + "x"),
                    _ => "sha256=" + new string('!', 64),
                };
                return (eventName, original, signature, delivery, "bad signature");
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(3))
        {
            case 0:
                for (var i = 0; i < 1 + random.Next(8); i++)
                {
                    // XOR with 1–255: the byte always changes (a random value could be the same one, leaving the body as signed).
                    var at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 + random.Next(255));
                }

                if (bytes.AsSpan().SequenceEqual(original))
                {
                    // Two changes of one byte cancelled out.
                    bytes[0] ^= 0x20;
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            default:
                return [.. bytes, .. Encoding.UTF8.GetBytes("{\"injected\": true}")];
        }
    }

    private static byte[] BreakRequiredField(byte[] original, string eventName, Random random)
    {
        var root = JsonNode.Parse(original)!.AsObject();
        var candidates = RequiredPaths.Where(p => eventName == "push" ? p[0] is "repository" or "ref" or "after" : p[0] is "repository" or "pull_request" or "number" or "action").ToArray();
        var path = candidates[random.Next(candidates.Length)];
        var parent = root;
        foreach (var step in path[..^1])
        {
            if (parent[step] is not JsonObject next)
            {
                return Encoding.UTF8.GetBytes(root.ToJsonString());
            }

            parent = next;
        }

        var leaf = path[^1];
        switch (random.Next(5))
        {
            case 0:
                parent.Remove(leaf);
                break;
            case 1:
                // A number where a string or object is needed; for the pull request's number, one that is not positive.
                parent[leaf] = leaf == "number" ? -random.Next(0, 1000) : random.Next();
                break;
            case 2:
                parent[leaf] = new JsonArray(1, 2, 3);
                break;
            case 3:
                parent[leaf] = null;
                break;
            default:
                // A string where an object or number is needed, or a commit id that is not one.
                parent[leaf] = leaf is "after" or "sha" ? "$(rm -rf /)" : leaf is "full_name" ? "no-slash" : leaf is "number" ? "2" : leaf is "ref" or "action" ? string.Empty : "text";
                break;
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
