using System.Globalization;
using System.Text;
using System.Text.Json;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Api;

/// <summary>
/// <c>GET /api/deployments/{id}/events</c>: Server-Sent Events. First the timeline and log so far, then what is recorded
/// next, read from the store every <see cref="EventStreamSettings.PollInterval"/> (each sent once: timeline entries by
/// count, log lines by sequence): <c>event: state</c> (a timeline entry), <c>event: log</c> (a log line, with
/// <c>id:</c> its sequence, so a client reconnecting with <c>Last-Event-ID</c> gets only the lines after it), a
/// <c>: keep-alive</c> comment after <see cref="EventStreamSettings.KeepAliveInterval"/> of silence, and
/// <c>event: end</c> (data: the final state) once the deployment is finished. Stops when the client disconnects.
/// </summary>
internal static class DeploymentEventsEndpoint
{
    private const int LogBatch = 500;

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/deployments/{id}/events", StreamAsync)
            .WithName("StreamDeploymentEvents")
            .WithTags("deployments")
            .WithSummary("Streams a deployment's timeline (event: state) and log (event: log) as Server-Sent Events until it is finished (event: end).")
            .WithDescription("Send Last-Event-ID (the last log sequence seen), or ?after=SEQUENCE, to resume the log after it; the timeline is sent again from the start.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>The stream; the dashboard maps it too, for its own session.</summary>
    internal static async Task<IResult> StreamAsync(
        HttpContext http, string id, IDeploymentStore store, TimeProvider time, EventStreamSettings settings, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var (deployment, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (deployment is null)
        {
            return problem!;
        }

        // Last-Event-ID when a client reconnects; ?after= when a page already shows the lines up to it.
        var afterSequence = long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last
            : long.TryParse(http.Request.Query["after"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var after) ? after : 0;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = new EventWriter(response, json.Value.SerializerOptions, time);
        try
        {
            // The headers go out now, not with the first event: a quiet deployment may have none for a while.
            await response.StartAsync(cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            await StreamUntilFinishedAsync(deployment, afterSequence, store, time, settings, writer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }

        return Results.Empty;
    }

    private static async Task StreamUntilFinishedAsync(
        Deployment deployment, long afterSequence, IDeploymentStore store, TimeProvider time, EventStreamSettings settings, EventWriter writer, CancellationToken cancellationToken)
    {
        var sentEvents = 0;
        var finishedSeen = false;
        while (true)
        {
            var events = deployment.Events.Skip(sentEvents).Select(e => (e.At, Order: 0, Event: (object)TimelineEventView.Of(e), Sequence: 0L)).ToList();
            sentEvents = deployment.Events.Count;
            var lines = await ReadLogAsync(store, deployment.Id, afterSequence, cancellationToken);
            if (lines.Count > 0)
            {
                afterSequence = lines[^1].Sequence;
            }

            // Timeline entries and log lines in the order they happened (an entry before the lines of the same instant).
            foreach (var item in events.Concat(lines.Select(l => (l.At, Order: 1, Event: (object)new LogLineView(l.Sequence, l.At, l.Stage, l.Text), l.Sequence)))
                         .OrderBy(i => i.At).ThenBy(i => i.Order))
            {
                await (item.Event is TimelineEventView state
                    ? writer.WriteAsync("state", null, state, cancellationToken)
                    : writer.WriteAsync("log", item.Sequence.ToString(CultureInfo.InvariantCulture), item.Event, cancellationToken));
            }

            if (deployment.IsFinished)
            {
                if (finishedSeen)
                {
                    await writer.WriteAsync("end", null, deployment.State.Name(), cancellationToken);
                    return;
                }

                // The last lines of a run are flushed just after its final state is saved: one more round collects them.
                finishedSeen = true;
            }

            if (time.GetUtcNow() - writer.LastWrite >= settings.KeepAliveInterval)
            {
                await writer.CommentAsync("keep-alive", cancellationToken);
            }

            await Task.Delay(settings.PollInterval, time, cancellationToken);
            deployment = await store.GetAsync(deployment.Id, cancellationToken) ?? deployment;
        }
    }

    private static async Task<List<LogLine>> ReadLogAsync(IDeploymentStore store, Guid id, long afterSequence, CancellationToken cancellationToken)
    {
        var all = new List<LogLine>();
        while (true)
        {
            var batch = await store.ReadLogAsync(id, afterSequence, LogBatch, cancellationToken);
            all.AddRange(batch);
            if (batch.Count < LogBatch)
            {
                return all;
            }

            afterSequence = batch[^1].Sequence;
        }
    }

    /// <summary>Writes events in the text/event-stream format, flushing each.</summary>
    private sealed class EventWriter(HttpResponse response, JsonSerializerOptions options, TimeProvider time)
    {
        public DateTimeOffset LastWrite { get; private set; } = time.GetUtcNow();

        public Task WriteAsync<T>(string type, string? id, T data, CancellationToken cancellationToken)
        {
            var text = new StringBuilder();
            text.Append("event: ").Append(type).Append('\n');
            if (id is not null)
            {
                text.Append("id: ").Append(id).Append('\n');
            }

            // JSON has no raw newlines, so one data line carries it.
            text.Append("data: ").Append(JsonSerializer.Serialize(data, options)).Append("\n\n");
            return SendAsync(text.ToString(), cancellationToken);
        }

        public Task CommentAsync(string comment, CancellationToken cancellationToken) => SendAsync($": {comment}\n\n", cancellationToken);

        private async Task SendAsync(string text, CancellationToken cancellationToken)
        {
            await response.WriteAsync(text, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            LastWrite = time.GetUtcNow();
        }
    }
}
