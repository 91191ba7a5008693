using System.Globalization;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using Octokit;
using DmState = DeployMind.Domain.Deploy.DeploymentState;
using GhDeploymentState = Octokit.DeploymentState;

namespace DeployMind.Infrastructure.GitHub;

// What one report sends: commit status, GitHub deployment and its status, the pull request's report comment.
internal sealed partial class GitHubReporter
{
    // Loop-only state (one sender): the GitHub deployment of each DeployMind deployment still running, and the latest
    // GitHub deployment per repository and environment (what a preview teardown marks inactive).
    private readonly Dictionary<Guid, TrackedDeployment> _deployments = [];
    private readonly Dictionary<(string Repository, string Environment), long> _latestByEnvironment = [];
    private readonly HashSet<Guid> _skipped = [];

    private async Task SendAsync(DeploymentReport report, CancellationToken cancellationToken)
    {
        if (!GitHubRepository.TryParse(report.Repository, _hosts, out var repository))
        {
            if (_skipped.Count > 10_000)
            {
                _skipped.Clear();
            }

            if (_skipped.Add(report.Id))
            {
                LogNotGitHub(report.Id, report.Repository ?? "(none)");
            }

            return;
        }

        var link = Link(report.Id);
        if (!report.IsTeardown && report.Commit is { Length: > 0 } commit)
        {
            var status = new NewCommitStatus
            {
                State = CommitStateOf(report.State),
                Context = $"{_options.StatusContext}/{report.Environment}",
                Description = GitHubReportRenderer.Description(report),
                TargetUrl = link,
            };
            await CallAsync(report, $"commit status {status.Context}", () => _client!.Repository.Status.Create(repository.Owner, repository.Name, commit, status), cancellationToken).ConfigureAwait(false);
        }

        if (report.IsTeardown)
        {
            if (report.State == DmState.Succeeded)
            {
                await CallAsync(report, "deployment status inactive", () => MarkInactiveAsync(report, repository, link), cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await ReportDeploymentAsync(report, repository, link, cancellationToken).ConfigureAwait(false);
        }

        if (report.PullRequest is { } pullRequest && (report.State.IsTerminal() || (report.State == DmState.Queued && !report.IsTeardown)))
        {
            await CallAsync(report, $"report comment on pull request #{pullRequest}", () => UpsertCommentAsync(report, repository, pullRequest, link), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReportDeploymentAsync(DeploymentReport report, GitHubRepository repository, string? link, CancellationToken cancellationToken)
    {
        var reference = report.Commit is { Length: > 0 } ? report.Commit : report.Branch;
        if (string.IsNullOrEmpty(reference))
        {
            return;
        }

        if (!_deployments.TryGetValue(report.Id, out var tracked))
        {
            var request = new NewDeployment(reference)
            {
                Environment = report.Environment,
                TransientEnvironment = report.PullRequest is not null,
                AutoMerge = false,
                RequiredContexts = [],
                Description = GitHubReportRenderer.Cut($"{report.App} to {report.Environment} ({report.Strategy.Name()}) by DeployMind", GitHubReportRenderer.MaxDescriptionLength),
            };
            Octokit.Deployment? created = null;
            if (!await CallAsync(report, $"deployment to {report.Environment}", async () => created = await _client!.Repository.Deployment.Create(repository.Owner, repository.Name, request).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                || created is null)
            {
                return;
            }

            tracked = new TrackedDeployment(created.Id, null);
            _deployments[report.Id] = tracked;
            _latestByEnvironment[(repository.ToString(), report.Environment)] = created.Id;
        }

        var state = DeploymentStateOf(report.State);
        if (tracked.LastState != state)
        {
            var status = new NewDeploymentStatus(state)
            {
                Description = GitHubReportRenderer.Description(report),
                EnvironmentUrl = report.Url,
                LogUrl = link,
            };
            if (await CallAsync(report, $"deployment status {Wire(state)}", () => _client!.Repository.Deployment.Status.Create(repository.Owner, repository.Name, tracked.Id, status), cancellationToken).ConfigureAwait(false))
            {
                _deployments[report.Id] = tracked with { LastState = state };
            }
        }

        if (report.State.IsTerminal())
        {
            _deployments.Remove(report.Id);
        }
    }

    // A teardown is a deployment of its own: it marks the environment's latest GitHub deployment inactive (found in
    // memory, or after a restart as the newest one GitHub lists for the environment).
    private async Task MarkInactiveAsync(DeploymentReport report, GitHubRepository repository, string? link)
    {
        var key = (repository.ToString(), report.Environment);
        if (!_latestByEnvironment.TryGetValue(key, out var id))
        {
            var recent = await _client!.Repository.Deployment.GetAll(repository.Owner, repository.Name, new ApiOptions { PageSize = 100, PageCount = 1, StartPage = 1 }).ConfigureAwait(false);
            var latest = recent.Where(d => string.Equals(d.Environment, report.Environment, StringComparison.Ordinal)).MaxBy(d => d.Id);
            if (latest is null)
            {
                return;
            }

            id = latest.Id;
        }

        await _client!.Repository.Deployment.Status.Create(repository.Owner, repository.Name, id, new NewDeploymentStatus(GhDeploymentState.Inactive)
        {
            Description = GitHubReportRenderer.Description(report),
            LogUrl = link,
        }).ConfigureAwait(false);
        _latestByEnvironment.Remove(key);
    }

    // One comment per pull request, app and environment: found by its marker, edited in place.
    private async Task UpsertCommentAsync(DeploymentReport report, GitHubRepository repository, int pullRequest, string? link)
    {
        var marker = GitHubReportRenderer.Marker(report.App, report.Environment);
        var body = GitHubReportRenderer.Comment(report, link);
        var comments = await _client!.Issue.Comment.GetAllForIssue(repository.Owner, repository.Name, pullRequest).ConfigureAwait(false);
        var existing = comments.FirstOrDefault(c => c.Body?.StartsWith(marker, StringComparison.Ordinal) == true);
        if (existing is null)
        {
            if (!report.IsTeardown)
            {
                await _client.Issue.Comment.Create(repository.Owner, repository.Name, pullRequest, body).ConfigureAwait(false);
            }
        }
        else if (!string.Equals(existing.Body, body, StringComparison.Ordinal))
        {
            await _client.Issue.Comment.Update(repository.Owner, repository.Name, existing.Id, body).ConfigureAwait(false);
        }
    }

    private string? Link(Guid id) => string.IsNullOrEmpty(_options.LinkBase)
        ? null
        : $"{_options.LinkBase.TrimEnd('/')}/api/deployments/{id.ToString("D", CultureInfo.InvariantCulture)}";

    private static CommitState CommitStateOf(DmState state) => state switch
    {
        DmState.Succeeded => CommitState.Success,
        DmState.Failed or DmState.RolledBack => CommitState.Failure,
        DmState.Cancelled or DmState.Superseded => CommitState.Error,
        _ => CommitState.Pending,
    };

    private static GhDeploymentState DeploymentStateOf(DmState state) => state switch
    {
        DmState.Queued => GhDeploymentState.Queued,
        DmState.Succeeded => GhDeploymentState.Success,
        DmState.Failed or DmState.RolledBack => GhDeploymentState.Failure,
        DmState.Cancelled => GhDeploymentState.Error,
        DmState.Superseded => GhDeploymentState.Inactive,
        _ => GhDeploymentState.InProgress,
    };

    private static string Wire(GhDeploymentState state) => state == GhDeploymentState.InProgress ? "in_progress" : state.ToString().ToLowerInvariant();

    private sealed record TrackedDeployment(long Id, GhDeploymentState? LastState);
}
