using System.Threading.Channels;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octokit;

namespace DeployMind.Infrastructure.GitHub;

/// <summary>
/// Reports deployments to GitHub with Octokit: a commit status per stage, one report comment per pull request and
/// environment (updated in place), and the Deployments API. <see cref="Report"/> only queues (the latest report of a
/// deployment replaces one still waiting); one background loop sends, retries and waits out rate limits. Inactive
/// without a token (<c>github.tokenVariable</c>) or with <c>github.report: false</c>.
/// </summary>
internal sealed partial class GitHubReporter : IDeploymentReporter, IAsyncDisposable, IDisposable
{
    private readonly GitHubOptions _options;
    private readonly IDeploymentStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<GitHubReporter> _logger;
    private readonly string? _token;
    private readonly GitHubClient? _client;
    private readonly IReadOnlyCollection<string> _hosts;
    private readonly TimeSpan _backoff;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _maxRateLimitWait;

    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Guid, DeploymentReport> _pending = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _idle = Completed();
    private int _outstanding;
    private Task? _loop;
    private bool _disposed;
    private int _warnedInactive;

    public GitHubReporter(IOptions<GitHubOptions> options, IDeploymentStore store, TimeProvider time, ILogger<GitHubReporter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _backoff = Duration.Parse(_options.Backoff, "github.backoff");
        _maxBackoff = Duration.Parse(_options.MaxBackoff, "github.maxBackoff");
        _maxRateLimitWait = Duration.Parse(_options.MaxRateLimitWait, "github.maxRateLimitWait");
        var apiUrl = new Uri(_options.ApiUrl, UriKind.Absolute);
        _hosts = GitHubRepository.HostsFor(apiUrl);
        _token = Environment.GetEnvironmentVariable(_options.TokenVariable) is { Length: > 0 } token ? token.Trim() : null;
        if (_options.Report && _token is not null)
        {
            _client = new GitHubClient(new Octokit.ProductHeaderValue("deploymind"), apiUrl) { Credentials = new Credentials(_token) };
            _client.SetRequestTimeout(Duration.Parse(_options.RequestTimeout, "github.requestTimeout"));
        }
    }

    /// <summary>Whether reports are sent at all (a token is set and <c>github.report</c> is on).</summary>
    public bool IsActive => _client is not null;

    /// <inheritdoc />
    public void Report(DeploymentReport report)
    {
        if (report is null)
        {
            return;
        }

        if (_client is null)
        {
            // Said once, and only for a deployment GitHub would have heard about (not for a local folder's).
            if (GitHubRepository.TryParse(report.Repository, _hosts, out _) && Interlocked.Exchange(ref _warnedInactive, 1) == 0)
            {
                if (_options.Report)
                {
                    LogNoToken(_options.TokenVariable);
                }
                else
                {
                    LogReportingOff();
                }
            }

            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_pending.TryGetValue(report.Id, out var waiting))
            {
                // Coalesce: only the latest state of a deployment still waiting needs sending.
                if (report.At >= waiting.At)
                {
                    _pending[report.Id] = report;
                }

                return;
            }

            _pending[report.Id] = report;
            if (_outstanding++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _queue.Writer.TryWrite(report.Id);
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Waits until every queued report was sent or given up; returns (without throwing) when <paramref name="cancellationToken"/> fires first.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller's deadline: whatever is still queued keeps going in the background.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        lock (_gate)
        {
            _pending.Clear();
            _idle.TrySetResult();
        }

        _stopping.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                DeploymentReport? report;
                lock (_gate)
                {
                    _pending.Remove(id, out report);
                }

                try
                {
                    if (report is not null)
                    {
                        await SendAsync(report, stopping).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Reporting never fails a deployment nor stops the loop; the failure is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogUnexpected(ex.GetType().Name, Redact(ex.Message));
                }
                finally
                {
                    lock (_gate)
                    {
                        if (--_outstanding == 0)
                        {
                            _idle.TrySetResult();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private string Redact(string text) =>
        _token is { Length: > 0 } token ? text.Replace(token, "***", StringComparison.Ordinal) : text;
}
