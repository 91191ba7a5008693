using System.Security.Cryptography;
using System.Text;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Turns a request (a webhook delivery, an API call) into a recorded, queued deployment, at most once per idempotency
/// key: the deployment's id is derived from the key, so a second delivery finds the first one's record and the queue
/// refuses its second job. The first report (a pending commit status) goes out once the job is stored.
/// </summary>
public sealed class JobIntake
{
    private readonly IJobQueue _queue;
    private readonly IDeploymentStore _store;
    private readonly IDeploymentReporter _reporter;
    private readonly TimeProvider _time;

    public JobIntake(IJobQueue queue, IDeploymentStore store, IDeploymentReporter reporter, TimeProvider time)
    {
        _queue = queue;
        _store = store;
        _reporter = reporter;
        _time = time;
    }

    /// <summary>The deployment id for an idempotency key: the same key, the same id (a name-based UUID of its SHA-256).</summary>
    public static Guid IdFor(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("deploymind:" + idempotencyKey));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// Records <paramref name="deployment"/> (queued; its id is the job's) unless it is recorded already, then enqueues
    /// <paramref name="job"/>. Added is false for a duplicate (the job was queued before).
    /// </summary>
    /// <exception cref="QueueUnavailableException">The records or the queue cannot be reached: nothing may be assumed stored; ask again.</exception>
    public async Task<EnqueueResult> SubmitAsync(Deployment deployment, DeployJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(job);
        if (deployment.Id != job.Id)
        {
            throw new ArgumentException("The job's id must be its deployment's.", nameof(job));
        }

        Deployment recorded;
        try
        {
            // Looked up first: a redelivery finds the first one's record without a failed insert (and its error log).
            recorded = await _store.GetAsync(deployment.Id, cancellationToken) ?? await AddAsync(deployment, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not QueueUnavailableException)
        {
            throw new QueueUnavailableException($"the deployment records ({_store.Description}) are not reachable: {ex.Message}", ex);
        }

        EnqueueResult result;
        try
        {
            result = await _queue.EnqueueAsync(job, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The record stays queued without a job; a redelivery (same key, same id) queues it.
            await TryNoteAsync(recorded, $"could not be queued yet: {ex.Message}");
            throw new QueueUnavailableException($"the job queue is not reachable: {ex.Message}", ex);
        }

        if (result.Added)
        {
            _reporter.Report(DeploymentReport.Of(recorded, _time.GetUtcNow()));
        }

        return result;
    }

    private async Task<Deployment> AddAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        try
        {
            await _store.AddAsync(deployment, cancellationToken);
            return deployment;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The same key arrived twice at once: the other request recorded it first. Anything else is a real failure.
            return await _store.GetAsync(deployment.Id, CancellationToken.None) ?? throw new QueueUnavailableException($"the deployment could not be recorded: {ex.Message}", ex);
        }
    }

    private async Task TryNoteAsync(Deployment deployment, string note)
    {
        try
        {
            deployment.Note(note, _time.GetUtcNow());
            await _store.SaveAsync(deployment, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Best effort: the caller answers 503 either way.
            _ = ex;
        }
    }
}

/// <summary>The records or the job queue cannot be reached: a request cannot be stored (the server answers 503).</summary>
public sealed class QueueUnavailableException : DeployMindException
{
    public QueueUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
