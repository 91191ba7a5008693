using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// Systems Manager, as Run Command answers: a sent command starts at once on its instance (in a process group of its own,
/// standard input closed), but the invocation does not exist for the first <see cref="MissingPolls"/> GetCommandInvocation
/// calls, then is Pending, InProgress (no output yet), and Success/Failed with the exit code as ResponseCode; output is
/// cut at 24,000/8,000 characters, the full streams going to S3 at SSM's key layout when OutputS3BucketName is set.
/// CancelCommand kills the process group (Cancelled); executionTimeout does the same (TimedOut).
/// </summary>
public sealed partial class FakeAws
{
    private const int StdoutLimit = 24_000;
    private const int StderrLimit = 8_000;

    private readonly ConcurrentDictionary<string, FakeAwsInstance> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string CommandId, string InstanceId), Invocation> _invocations = new();
    private readonly ConcurrentQueue<FakeSsmCommand> _sent = new();
    private readonly ConcurrentQueue<string> _cancelled = new();

    /// <summary>How many GetCommandInvocation calls of each command answer InvocationDoesNotExist (the race right after sending).</summary>
    public int MissingPolls { get; set; } = 1;

    /// <summary>Every SendCommand, with its parameters as received.</summary>
    public IReadOnlyList<FakeSsmCommand> SentCommands => [.. _sent];

    /// <summary>The command ids CancelCommand was called for.</summary>
    public IReadOnlyList<string> CancelledCommands => [.. _cancelled];

    /// <summary>Adds (or replaces) an instance.</summary>
    public FakeAwsInstance AddInstance(FakeAwsInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _instances[instance.InstanceId] = instance;
        return instance;
    }

    private static JsonObject Error(string type, string message) => new() { ["__type"] = type, ["message"] = message };

    private static async Task WriteJsonAsync(HttpContext context, JsonNode body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(n => n!.GetValue<string>())] : [];

    private async Task HandleSsmAsync(HttpContext context, string target)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var (status, answer) = target switch
        {
            "AmazonSSM.SendCommand" => SendCommand(body),
            "AmazonSSM.GetCommandInvocation" => GetCommandInvocation(body),
            "AmazonSSM.CancelCommand" => CancelCommand(body),
            "AmazonSSM.DescribeInstanceInformation" => DescribeInstanceInformation(body),
            _ => (400, Error("UnknownOperationException", target)),
        };
        await WriteJsonAsync(context, answer, status);
    }

    private (int, JsonNode) SendCommand(JsonObject body)
    {
        var document = body["DocumentName"]?.GetValue<string>();
        if (document != "AWS-RunShellScript")
        {
            return (400, Error("InvalidDocument", $"Document {document} is not served by the fake."));
        }

        var ids = Strings(body["InstanceIds"]);
        var offline = ids.Where(id => !_instances.TryGetValue(id, out var i) || !i.Online).ToList();
        if (ids.Count == 0 || offline.Count > 0)
        {
            return (400, Error("InvalidInstanceId", $"Instances [[{string.Join(", ", offline)}]] not in a valid state for account 123456789012"));
        }

        var parameters = body["Parameters"] as JsonObject ?? [];
        var script = string.Join('\n', Strings(parameters["commands"]));
        var timeout = int.TryParse(Strings(parameters["executionTimeout"]).FirstOrDefault() ?? "3600", NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 3600;
        var bucket = body["OutputS3BucketName"]?.GetValue<string>();
        var prefix = body["OutputS3KeyPrefix"]?.GetValue<string>();
        var commandId = Guid.NewGuid().ToString();
        _sent.Enqueue(new FakeSsmCommand(commandId, ids, parameters.ToJsonString(), Strings(parameters["commands"]), timeout, bucket, prefix));
        foreach (var id in ids)
        {
            _invocations[(commandId, id)] = Invocation.Start(this, commandId, _instances[id], script, TimeSpan.FromSeconds(timeout), bucket, prefix);
        }

        return (200, new JsonObject
        {
            ["Command"] = new JsonObject
            {
                ["CommandId"] = commandId,
                ["DocumentName"] = document,
                ["InstanceIds"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
                ["Status"] = "Pending",
            },
        });
    }

    private (int, JsonNode) GetCommandInvocation(JsonObject body)
    {
        var commandId = body["CommandId"]?.GetValue<string>() ?? string.Empty;
        var instanceId = body["InstanceId"]?.GetValue<string>() ?? string.Empty;
        if (!_invocations.TryGetValue((commandId, instanceId), out var invocation) || Interlocked.Increment(ref invocation.Polls) <= MissingPolls)
        {
            return (400, Error("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist)."));
        }

        var answer = new JsonObject
        {
            ["CommandId"] = commandId,
            ["InstanceId"] = instanceId,
            ["DocumentName"] = "AWS-RunShellScript",
            ["PluginName"] = "aws:runShellScript",
        };
        if (invocation.Status is not { } status)
        {
            var state = invocation.Polls == MissingPolls + 1 ? "Pending" : "InProgress";
            answer["Status"] = state;
            answer["StatusDetails"] = state;
            answer["ResponseCode"] = -1;
            answer["StandardOutputContent"] = string.Empty;
            answer["StandardErrorContent"] = string.Empty;
            return (200, answer);
        }

        answer["Status"] = status;
        answer["StatusDetails"] = status;
        answer["ResponseCode"] = invocation.ExitCode;
        answer["StandardOutputContent"] = Cut(invocation.Stdout, StdoutLimit);
        answer["StandardErrorContent"] = Cut(invocation.Stderr, StderrLimit);
        if (invocation.Bucket is not null)
        {
            answer["StandardOutputUrl"] = new Uri(Url, $"{invocation.Bucket}/{invocation.OutputKey("stdout")}").ToString();
            answer["StandardErrorUrl"] = new Uri(Url, $"{invocation.Bucket}/{invocation.OutputKey("stderr")}").ToString();
        }

        return (200, answer);

        static string Cut(string text, int limit) => text.Length <= limit ? text : text[..limit];
    }

    private (int, JsonNode) CancelCommand(JsonObject body)
    {
        var commandId = body["CommandId"]?.GetValue<string>() ?? string.Empty;
        _cancelled.Enqueue(commandId);
        var ids = Strings(body["InstanceIds"]);
        var matching = _invocations.Where(kv => kv.Key.CommandId == commandId && (ids.Count == 0 || ids.Contains(kv.Key.InstanceId))).ToList();
        if (matching.Count == 0)
        {
            return (400, Error("InvalidCommandId", $"Command {commandId} does not exist."));
        }

        foreach (var (_, invocation) in matching)
        {
            invocation.Kill("Cancelled");
        }

        return (200, new JsonObject());
    }

    private (int, JsonNode) DescribeInstanceInformation(JsonObject body)
    {
        var wanted = new List<string>();
        foreach (var filter in body["Filters"] as JsonArray ?? [])
        {
            if (filter?["Key"]?.GetValue<string>() == "InstanceIds")
            {
                wanted.AddRange(Strings(filter["Values"]));
            }
        }

        foreach (var filter in body["InstanceInformationFilterList"] as JsonArray ?? [])
        {
            if (filter?["key"]?.GetValue<string>() == "InstanceIds")
            {
                wanted.AddRange(Strings(filter["valueSet"]));
            }
        }

        var list = new JsonArray();
        foreach (var instance in _instances.Values.Where(i => wanted.Count == 0 || wanted.Contains(i.InstanceId)).OrderBy(i => i.InstanceId, StringComparer.Ordinal))
        {
            list.Add(new JsonObject
            {
                ["InstanceId"] = instance.InstanceId,
                ["PingStatus"] = instance.Online ? "Online" : "ConnectionLost",
                ["PlatformType"] = "Linux",
                ["ResourceType"] = "EC2Instance",
            });
        }

        return (200, new JsonObject { ["InstanceInformationList"] = list });
    }

    /// <summary>One command on one instance: its process, output and SSM status.</summary>
    private sealed class Invocation
    {
        private readonly Lock _gate = new();
        private Process? _process;
        private string? _killedAs;

        private Invocation(string commandId, string instanceId, string? bucket, string? prefix)
        {
            (CommandId, InstanceId, Bucket, Prefix) = (commandId, instanceId, bucket, prefix);
        }

        public int Polls;

        public string CommandId { get; }

        public string InstanceId { get; }

        public string? Bucket { get; }

        public string? Prefix { get; }

        /// <summary>Null while running; then Success, Failed, Cancelled or TimedOut.</summary>
        public string? Status { get; private set; }

        public int ExitCode { get; private set; } = -1;

        public string Stdout { get; private set; } = string.Empty;

        public string Stderr { get; private set; } = string.Empty;

        public static Invocation Start(FakeAws fake, string commandId, FakeAwsInstance instance, string script, TimeSpan timeout, string? bucket, string? prefix)
        {
            var invocation = new Invocation(commandId, instance.InstanceId, bucket, prefix);
            var file = Path.Combine(Path.GetTempPath(), $"dm-fake-ssm-{commandId}.sh");
            File.WriteAllText(file, script);
            var start = new ProcessStartInfo("setsid")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
                UseShellExecute = false,
            };
            foreach (var part in instance.Launcher)
            {
                start.ArgumentList.Add(part);
            }

            start.ArgumentList.Add("/bin/bash");
            start.ArgumentList.Add(file);
            var process = Process.Start(start)!;
            process.StandardInput.Close();
            invocation._process = process;
            _ = invocation.CompleteAsync(fake, process, file, timeout);
            return invocation;
        }

        public string OutputKey(string stream) =>
            $"{(string.IsNullOrEmpty(Prefix) ? string.Empty : Prefix.TrimEnd('/') + "/")}{CommandId}/{InstanceId}/awsrunShellScript/0.awsrunShellScript/{stream}";

        /// <summary>Kills the process group (as the agent does on CancelCommand or executionTimeout) and reports <paramref name="status"/>.</summary>
        public void Kill(string status)
        {
            Process? process;
            lock (_gate)
            {
                if (Status is not null || _killedAs is not null)
                {
                    return;
                }

                _killedAs = status;
                process = _process;
            }

            if (process is null)
            {
                return;
            }

            try
            {
                using var kill = Process.Start("kill", ["-KILL", "--", "-" + process.Id.ToString(CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
        }

        private async Task CompleteAsync(FakeAws fake, Process process, string file, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            using var registration = deadline.Token.Register(() => Kill("TimedOut"));
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var (output, error) = (await stdout, await stderr);
            File.Delete(file);
            if (Bucket is not null)
            {
                fake.PutObject(Bucket, OutputKey("stdout"), Encoding.UTF8.GetBytes(output));
                fake.PutObject(Bucket, OutputKey("stderr"), Encoding.UTF8.GetBytes(error));
            }

            lock (_gate)
            {
                (Stdout, Stderr) = (output, error);
                ExitCode = _killedAs is null ? process.ExitCode : -1;
                Status = _killedAs ?? (process.ExitCode == 0 ? "Success" : "Failed");
            }

            process.Dispose();
        }
    }
}

/// <summary>A SendCommand as the fake received it.</summary>
/// <param name="CommandId">The id it answered.</param>
/// <param name="InstanceIds">The instances named.</param>
/// <param name="ParametersJson">The document parameters, as JSON (what SSM keeps in its command history).</param>
/// <param name="Commands">The <c>commands</c> parameter.</param>
/// <param name="ExecutionTimeoutSeconds">The <c>executionTimeout</c> parameter.</param>
/// <param name="OutputS3BucketName">The output bucket, if any.</param>
/// <param name="OutputS3KeyPrefix">The output key prefix, if any.</param>
public sealed record FakeSsmCommand(
    string CommandId, IReadOnlyList<string> InstanceIds, string ParametersJson, IReadOnlyList<string> Commands, int ExecutionTimeoutSeconds, string? OutputS3BucketName, string? OutputS3KeyPrefix);
