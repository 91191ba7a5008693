using DeployMind.Application.Deploy;
using DeployMind.Application.Records;

namespace DeployMind.Server.Dashboard;

/// <summary>The overview: each app and environment, what serves it and what is on its way.</summary>
public sealed record OverviewModel(DashboardUser User, IReadOnlyList<OverviewRow> Apps, DateTimeOffset Now);

/// <summary>One app and environment on the overview.</summary>
public sealed record OverviewRow(AppStatus Status, string Health);

/// <summary>The deployments list with its filters.</summary>
public sealed record DeploymentListModel(
    DashboardUser User, IReadOnlyList<DeploymentView> Deployments, DeploymentFilters Filters, IReadOnlyList<string> Apps, IReadOnlyList<string> Environments, string? OlderLink, string? Problem);

/// <summary>The list's filters as typed in the form (empty: any).</summary>
public sealed record DeploymentFilters(string? App, string? Environment, string? State, string? Branch, string? Who, string? Before)
{
    public bool Any => new[] { App, Environment, State, Branch, Who, Before }.Any(v => !string.IsNullOrWhiteSpace(v));
}

/// <summary>One deployment's page.</summary>
public sealed record DeploymentPageModel(
    DashboardUser User,
    DeploymentView View,
    IReadOnlyList<RecordedFinding> Findings,
    IReadOnlyList<RecordedExplanation> Explanations,
    IReadOnlyList<RecordedCanaryStep> CanarySteps,
    IReadOnlyList<LogLine> Log,
    bool LogCut,
    IReadOnlyList<RollbackChoice> RollbackChoices,
    string? RollbackUnavailable);

/// <summary>
/// An earlier release the app and environment can go back to: <see cref="Via"/> is the recorded deployment whose rollback
/// puts it back (the first later one that put out another release), so the engine's rule — a rollback of a deployment
/// goes to the release that served before it — brings exactly this one back.
/// </summary>
public sealed record RollbackChoice(Guid Via, Guid PutOutBy, string ReleaseId, string? Commit, string? ImageTag, DateTimeOffset At);

/// <summary>The deploy form: the apps with a repository on record, and what was typed.</summary>
public sealed record DeployFormModel(DashboardUser User, IReadOnlyList<string> Repositories, IReadOnlyList<string> Environments, string? Repository, string? Ref, string? Environment, string? Problem);

/// <summary>A confirmation before an action runs: what will happen, and the form that does it.</summary>
public sealed record ConfirmModel(DashboardUser User, string Title, IReadOnlyList<string> Lines, string Action, IReadOnlyDictionary<string, string> Fields, string Button, string Back);

/// <summary>A page that only says something: a refusal, a problem, a missing deployment.</summary>
public sealed record MessageModel(DashboardUser? User, string Title, string Text, string? Back);

/// <summary>The sign-in page.</summary>
public sealed record SignInModel(string CsrfField, string Csrf, string Return, string? Problem);
