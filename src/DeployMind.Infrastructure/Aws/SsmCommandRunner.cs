using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Aws;

/// <summary>
/// Runs commands on an EC2 instance through AWS Systems Manager Run Command: <c>SendCommand</c> with the
/// <c>AWS-RunShellScript</c> document (the script is <see cref="SsmScript.Body"/>), then <c>GetCommandInvocation</c> until
/// the invocation ends (an invocation that does not exist yet, right after sending, is pending); cancellation and
/// <see cref="SsmTarget.CommandTimeout"/> call <c>CancelCommand</c>, which kills the script's processes on the instance.
/// </summary>
/// <remarks>
/// SSM returns a command's output only when it has ended (its content is empty while it runs), so lines reach
/// <c>onOutput</c> then, all of standard output first. SSM returns at most 24,000 characters of standard output and
/// 8,000 of standard error inline: with <see cref="SsmTarget.S3Bucket"/> the full streams are read from the bucket;
/// without one, output that reached a limit fails the command naming what was lost and the key to set, never silently cut.
/// </remarks>
internal sealed partial class SsmCommandRunner : ICommandRunner, IDisposable
{
    /// <summary>The characters of standard output SSM returns inline.</summary>
    public const int StandardOutputLimit = 24_000;

    /// <summary>The characters of standard error SSM returns inline.</summary>
    public const int StandardErrorLimit = 8_000;

    private const string DocumentName = "AWS-RunShellScript";

    // AWS-RunShellScript's executionTimeout takes 1 to 172800 seconds (default 3600): with no deadline of DeployMind's own,
    // the longest, so a long build is not killed after an hour.
    private const int MaxExecutionTimeoutSeconds = 172_800;

    // GetCommandInvocation answers throttled or failed (5xx) this many times in a row before the command is given up on.
    private const int MaxTransientFailures = 20;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly SsmTarget _target;
    private readonly IAmazonSimpleSystemsManagement _ssm;
    private readonly IAmazonS3? _s3;
    private readonly ILogger<SsmCommandRunner> _logger;
    private readonly TimeProvider _time;
    private readonly IDisposable? _owned;

    public SsmCommandRunner(SsmTarget target, IAmazonSimpleSystemsManagement ssm, IAmazonS3? s3, ILogger<SsmCommandRunner> logger, TimeProvider time, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(ssm);
        if (target.S3Bucket is not null && s3 is null)
        {
            throw new ArgumentException("A target with an S3 bucket needs an S3 client.", nameof(s3));
        }

        (_target, _ssm, _s3, _logger, _time, _owned) = (target, ssm, s3, logger, time, owned);
    }

    public string Name => $"ssm {_target.Display}";

    public async Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        var display = command.ToString();
        using var deadline = _target.CommandTimeout is { } timeout ? new CancellationTokenSource(timeout, _time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await RunCoreAsync(command, display, onOutput, stop.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(display);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            LogCancelled(display, Name);
            throw new OperationCanceledException($"`{display}` on {_target.Display} was cancelled.", ex, cancellationToken);
        }
    }

    public void Dispose() => _owned?.Dispose();

    private SsmCommandTimeoutException TimedOut(string display)
    {
        var timeout = _target.CommandTimeout.GetValueOrDefault();
        var seconds = SsmTarget.SecondsText(timeout);
        LogTimedOut(display, Name, timeout.TotalSeconds);
        return new SsmCommandTimeoutException(
            $"`{display}` on {_target.Display} did not finish within its {seconds} s command timeout; it was cancelled through SSM (CancelCommand), which killed it on the instance. Raise commandTimeout if it needs longer.",
            timeout);
    }

    private async Task<CommandResult> RunCoreAsync(CommandSpec command, string display, Action<OutputLine>? onOutput, CancellationToken stop)
    {
        var redactor = new SecretRedactor(command.Secrets);
        var started = _time.GetTimestamp();
        string? payloadKey = null;
        try
        {
            var body = SsmScript.Body(command);
            string script;
            if (command.Secrets.IsDefaultOrEmpty && body.Length <= SsmScript.InlineLimit)
            {
                script = body;
            }
            else
            {
                payloadKey = NewPayloadKey();
                script = await PutPayloadAsync(command, display, body, payloadKey, stop);
            }

            LogStarting(display, Name, command.WorkingDirectory ?? "~", payloadKey is null ? "inline" : "through S3");
            var commandId = await SendAsync(script, display, stop);
            GetCommandInvocationResponse invocation;
            try
            {
                invocation = await WaitAsync(commandId, display, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                await CancelRemoteAsync(commandId, display);
                throw;
            }

            var status = invocation.Status?.Value;
            if (status == CommandInvocationStatus.TimedOut.Value && _target.CommandTimeout is not null)
            {
                throw TimedOut(display);
            }

            if (status != CommandInvocationStatus.Success.Value && status != CommandInvocationStatus.Failed.Value)
            {
                throw new SsmCommandException(Unfinished(display, commandId, invocation));
            }

            var stdout = await OutputAsync(commandId, invocation.StandardOutputContent ?? string.Empty, StandardOutputLimit, "stdout", "standard output", display, stop);
            var stderr = await OutputAsync(commandId, invocation.StandardErrorContent ?? string.Empty, StandardErrorLimit, "stderr", "standard error", display, stop);
            var result = Deliver(command, display, redactor, stdout, stderr, onOutput);
            var elapsed = _time.GetElapsedTime(started);
            LogFinished(display, Name, invocation.ResponseCode ?? -1, elapsed.TotalMilliseconds);
            return new CommandResult(display, invocation.ResponseCode ?? -1, result.Stdout, result.Stderr, elapsed);
        }
        finally
        {
            if (payloadKey is not null)
            {
                await DeletePayloadAsync(payloadKey, display);
            }
        }
    }

    /// <summary>Redacts the output, hands it to the callback line by line (a failing callback's exception is rethrown) and captures it.</summary>
    private (string Stdout, string Stderr) Deliver(CommandSpec command, string display, SecretRedactor redactor, string stdout, string stderr, Action<OutputLine>? onOutput)
    {
        var captured = new[] { new StringBuilder(), new StringBuilder() };
        ExceptionDispatchInfo? failure = null;
        foreach (var (channel, text) in new[] { (OutputChannel.StandardOutput, stdout), (OutputChannel.StandardError, stderr) })
        {
            foreach (var raw in SsmScript.Lines(text))
            {
                var line = redactor.Redact(raw);
                captured[(int)channel].Append(line).Append('\n');
                if (!command.SecretOutput)
                {
                    LogOutput(display, line);
                }

                if (onOutput is null || failure is not null)
                {
                    continue;
                }

                try
                {
                    onOutput(new OutputLine(channel, line));
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
            }
        }

        failure?.Throw();
        return (captured[0].ToString(), captured[1].ToString());
    }

    private async Task<string> SendAsync(string script, string display, CancellationToken stop)
    {
        var executionTimeout = _target.CommandTimeout is { } timeout
            ? Math.Clamp((int)Math.Ceiling(timeout.TotalSeconds) + 60, 1, MaxExecutionTimeoutSeconds)
            : MaxExecutionTimeoutSeconds;
        var request = new SendCommandRequest
        {
            DocumentName = DocumentName,
            InstanceIds = [_target.InstanceId],
            Comment = "deploymind",
            Parameters = new Dictionary<string, List<string>>(StringComparer.Ordinal)
            {
                ["commands"] = [script],
                ["executionTimeout"] = [executionTimeout.ToString(CultureInfo.InvariantCulture)],
            },
        };
        if (_target.S3Bucket is { } bucket)
        {
            request.OutputS3BucketName = bucket;
            if (_target.S3Prefix.Trim('/') is { Length: > 0 } prefix)
            {
                request.OutputS3KeyPrefix = prefix;
            }
        }

        try
        {
            var response = await _ssm.SendCommandAsync(request, stop);
            return response.Command?.CommandId ?? throw new SsmCommandException($"SSM accepted `{display}` for {_target.Display} but returned no command id.");
        }
        catch (AmazonServiceException ex) when (!stop.IsCancellationRequested)
        {
            throw new SsmCommandException(
                $"SSM refused to run `{display}` on {_target.Display}: {ex.ErrorCode}: {ex.Message}{Hint(ex.ErrorCode)}", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException && !stop.IsCancellationRequested)
        {
            throw new SsmCommandException(
                $"Could not reach AWS Systems Manager to run `{display}` on {_target.Display}: {ex.Message} (credentials and region come from the standard AWS chain: environment, profile, instance role).", ex);
        }
    }

    private static string Hint(string? errorCode) => errorCode switch
    {
        "InvalidInstanceId" => " (the instance must exist in this region, run the SSM agent and be online: check `aws ssm describe-instance-information`)",
        "AccessDeniedException" => " (DeployMind's AWS identity needs ssm:SendCommand, ssm:GetCommandInvocation and ssm:CancelCommand)",
        _ => string.Empty,
    };

    /// <summary>Polls until the invocation has ended; an invocation SSM does not know yet (just sent) is pending.</summary>
    private async Task<GetCommandInvocationResponse> WaitAsync(string commandId, string display, CancellationToken stop)
    {
        var wait = _target.PollInterval;
        var failures = new int[1];
        while (true)
        {
            await Task.Delay(wait, _time, stop);
            wait = TimeSpan.FromTicks(Math.Min((long)(wait.Ticks * 1.5), _target.MaxPollInterval.Ticks));
            var invocation = await GetInvocationAsync(commandId, display, failures, stop);
            if (invocation is not null && IsFinal(invocation.Status))
            {
                return invocation;
            }
        }
    }

    private async Task<GetCommandInvocationResponse?> GetInvocationAsync(string commandId, string display, int[] failures, CancellationToken stop)
    {
        try
        {
            var invocation = await _ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = _target.InstanceId }, stop);
            failures[0] = 0;
            return invocation;
        }
        catch (InvocationDoesNotExistException)
        {
            return null; // SSM records the invocation a moment after SendCommand returns.
        }
        catch (AmazonServiceException ex) when ((ex.ErrorCode is "ThrottlingException" || ex.StatusCode >= HttpStatusCode.InternalServerError)
            && ++failures[0] < MaxTransientFailures)
        {
            LogPollRetry(display, Name, ex.ErrorCode, (int)ex.StatusCode);
            return null;
        }
        catch (AmazonServiceException ex) when (!stop.IsCancellationRequested)
        {
            throw new SsmCommandException($"SSM could not report on `{display}` on {_target.Display} (command {commandId}): {ex.ErrorCode}: {ex.Message}", ex);
        }
    }

    private static bool IsFinal(CommandInvocationStatus? status) =>
        status is not null
        && status != CommandInvocationStatus.Pending
        && status != CommandInvocationStatus.InProgress
        && status != CommandInvocationStatus.Delayed
        && status != CommandInvocationStatus.Cancelling;

    private string Unfinished(string display, string commandId, GetCommandInvocationResponse invocation)
    {
        var status = invocation.Status?.Value ?? "unknown";
        var details = string.IsNullOrWhiteSpace(invocation.StatusDetails) || invocation.StatusDetails == status ? string.Empty : $" ({invocation.StatusDetails})";
        var why = status switch
        {
            "Cancelled" => "it was cancelled on the SSM side (by someone else)",
            "TimedOut" => "it ran past its SSM execution timeout",
            "Undeliverable" or "DeliveryTimedOut" => "SSM could not deliver it: is the instance running, with its SSM agent online?",
            "Terminated" => "the instance was terminated",
            _ => "it did not finish",
        };
        return $"`{display}` on {_target.Display} ended with SSM status {status}{details} (command {commandId}): {why}.";
    }

    /// <summary>Cancels the command on the instance and waits (bounded) until SSM reports it ended, so its processes are gone.</summary>
    private async Task CancelRemoteAsync(string commandId, string display)
    {
        using var bounded = new CancellationTokenSource(StopTimeout, _time);
        try
        {
            await _ssm.CancelCommandAsync(new CancelCommandRequest { CommandId = commandId, InstanceIds = [_target.InstanceId] }, bounded.Token);
            LogCancelSent(display, Name, commandId);
            while (true)
            {
                await Task.Delay(_target.PollInterval, _time, bounded.Token);
                var invocation = await GetInvocationAsync(commandId, display, [0], bounded.Token);
                if (invocation is not null && IsFinal(invocation.Status))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or OperationCanceledException or SsmCommandException)
        {
            LogCancelFailed(display, Name, commandId, ex.Message);
        }
    }

    /// <summary>
    /// One stream's output: the inline content, or — when it reached SSM's inline limit — the full stream from the output
    /// bucket; without a bucket, an error naming what was lost and the key to set.
    /// </summary>
    private async Task<string> OutputAsync(string commandId, string inline, int limit, string stream, string what, string display, CancellationToken stop)
    {
        if (inline.Length < limit)
        {
            return inline;
        }

        if (_target.S3Bucket is not { } bucket || _s3 is null)
        {
            throw new SsmCommandException(
                $"`{display}` on {_target.Display} wrote more {what} than SSM returns inline ({limit:N0} characters): everything past the first {limit:N0} characters was lost. "
                + "Set s3Bucket (and optionally s3Prefix) on the host's ssm entry so SSM writes the full output there and DeployMind reads it back.");
        }

        var key = SsmScript.OutputKey(_target.S3KeyPrefix, commandId, _target.InstanceId, stream);
        try
        {
            using var response = await _s3.GetObjectAsync(bucket, key, stop);
            using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
            return await reader.ReadToEndAsync(stop);
        }
        catch (AmazonServiceException ex) when (!stop.IsCancellationRequested)
        {
            throw new SsmCommandException(
                $"`{display}` on {_target.Display} wrote more {what} than SSM returns inline ({limit:N0} characters), and its full output could not be read from s3://{bucket}/{key}: {ex.ErrorCode}: {ex.Message} "
                + "(the instance role needs s3:PutObject on the bucket, DeployMind s3:GetObject).", ex);
        }
    }

    private string NewPayloadKey() => $"{_target.S3KeyPrefix}deploymind-payload/{Guid.NewGuid():N}.sh";

    /// <summary>Puts the script body in the bucket (server-side encrypted) and returns the bootstrap that fetches it.</summary>
    private async Task<string> PutPayloadAsync(CommandSpec command, string display, string body, string key, CancellationToken stop)
    {
        if (_target.S3Bucket is not { } bucket || _s3 is null)
        {
            var why = command.Secrets.IsDefaultOrEmpty
                ? $"its script is {body.Length:N0} characters, more than the {SsmScript.InlineLimit:N0} DeployMind sends in SendCommand's parameters"
                : "it carries secrets, which must not go into SendCommand's parameters (SSM keeps them in its command history)";
            throw new SsmCommandException(
                $"Host {_target.Display}: `{display}` cannot be sent through SSM: {why}. Set s3Bucket (and optionally s3Prefix) on the host's ssm entry: "
                + "DeployMind then passes the script through that bucket (encrypted, fetched with a short-lived presigned URL, deleted after the command).");
        }

        try
        {
            await _s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    ContentBody = body,
                    ContentType = "text/x-shellscript",
                    ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
                },
                stop);
            var url = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = bucket,
                Key = key,
                Verb = HttpVerb.GET,
                Protocol = _s3.Config.ServiceURL?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
                Expires = _time.GetUtcNow().Add(_target.PayloadUrlLifetime).UtcDateTime,
            });
            return SsmScript.Bootstrap(new Uri(url));
        }
        catch (AmazonServiceException ex) when (!stop.IsCancellationRequested)
        {
            throw new SsmCommandException(
                $"Could not put the script of `{display}` for {_target.Display} in s3://{bucket}/{key}: {ex.ErrorCode}: {ex.Message} (DeployMind's AWS identity needs s3:PutObject, s3:GetObject and s3:DeleteObject on the bucket).", ex);
        }
    }

    private async Task DeletePayloadAsync(string key, string display)
    {
        if (_target.S3Bucket is not { } bucket || _s3 is null)
        {
            return;
        }

        using var bounded = new CancellationTokenSource(StopTimeout, _time);
        try
        {
            await _s3.DeleteObjectAsync(bucket, key, bounded.Token);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogPayloadNotDeleted(display, Name, bucket, key, ex.Message);
        }
    }
}
