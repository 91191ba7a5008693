using System.Globalization;
using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Server.Api;
using DeployMind.Server.Dashboard.Pages;
using DeployMind.Server.Metrics;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DeployMind.Server.Dashboard;

/// <summary>
/// The dashboard at <c>/</c>: server-rendered pages (Razor components rendered on the server, no client framework; every
/// asset ships with the server) for the overview, the deployments and each deployment, with a little script for the
/// live parts (the event stream the API has, a periodic refresh of the rest). Actions (rollback, cancel, deploy) go
/// through <see cref="DeploymentIntake"/> like the API's, after a confirmation page, with an anti-forgery token and the
/// deploy scope, recorded as <c>dashboard:TOKEN-NAME</c>.
/// </summary>
internal static partial class DashboardEndpoints
{
    /// <summary>Sent by the page's script when it refreshes a live part (answered 401 instead of a redirect when signed out).</summary>
    public const string FragmentHeader = "X-Dashboard-Fragment";

    /// <summary>
    /// What a page may load: its own script and style, nothing inline, nothing from elsewhere; forms post only here.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private const int LogLinesShown = 2000;
    private const int ListLimit = 50;

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddDashboardSession();
        services.AddSingleton<DashboardHealth>();
        return services;
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/assets/{name}", DashboardAssets.Serve).ExcludeFromDescription();
        app.MapGet("/signin", SignInPage).ExcludeFromDescription();
        app.MapPost("/signin", SignInAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/signout", SignOutAsync).ExcludeFromDescription().DisableAntiforgery();

        var pages = app.MapGroup(string.Empty).RequireAuthorization(DashboardSession.Policy).ExcludeFromDescription();
        pages.MapGet("/", OverviewAsync);
        pages.MapGet("/deployments", ListAsync);
        pages.MapGet("/deployments/{id}", DeploymentAsync);
        pages.MapGet("/deployments/{id}/events", DeploymentEventsEndpoint.StreamAsync);
        pages.MapPost("/deployments/{id}/cancel", CancelAsync).DisableAntiforgery();
        pages.MapPost("/deployments/{id}/rollback", RollbackAsync).DisableAntiforgery();
        pages.MapGet("/deploy", DeployFormAsync);
        pages.MapPost("/deploy", DeployAsync).DisableAntiforgery();
    }

    private static RazorComponentResult<TComponent> Page<TComponent>(HttpContext http, object model, int status = StatusCodes.Status200OK)
        where TComponent : IComponent
    {
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return new RazorComponentResult<TComponent>(new Dictionary<string, object?> { ["Model"] = model }) { StatusCode = status };
    }

    private static RazorComponentResult<MessagePage> Message(HttpContext http, DashboardUser? user, int status, string title, string text, string? back = null) =>
        Page<MessagePage>(http, new MessageModel(user, title, text, back), status);

    // ---- signing in and out ----

    private static IResult SignInPage(HttpContext http, IAntiforgery antiforgery, string? @return)
    {
        if (DashboardUser.NameOf(http.User) is not null && http.User.Identity?.AuthenticationType == DashboardSession.Scheme)
        {
            return Results.Redirect(DashboardSession.LocalPath(@return));
        }

        var (field, token) = DashboardSession.AnonymousCsrf(http, antiforgery);
        return Page<SignInPage>(http, new SignInModel(field, token, DashboardSession.LocalPath(@return), null));
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, IApiTokens tokens, FailedTokenThrottle throttle, ILoggerFactory loggers)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var back = DashboardSession.LocalPath(form["return"]);
        if (await CsrfProblemAsync(http, antiforgery) is { } refused)
        {
            return refused;
        }

        var problem = await DashboardSession.SignInAsync(http, form["token"].ToString(), tokens, throttle, Logger(loggers));
        if (problem is null)
        {
            return Results.Redirect(back, permanent: false, preserveMethod: false);
        }

        var (field, token) = DashboardSession.AnonymousCsrf(http, antiforgery);
        return Page<SignInPage>(http, new SignInModel(field, token, back, problem), StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, ILoggerFactory loggers)
    {
        var result = await http.AuthenticateAsync(DashboardSession.Scheme);
        if (result.Principal is { } principal)
        {
            http.User = principal;
        }

        if (await CsrfProblemAsync(http, antiforgery) is { } refused)
        {
            return refused;
        }

        await DashboardSession.SignOutAsync(http, Logger(loggers));
        return Results.Redirect("/signin");
    }

    // ---- pages ----

    private static async Task<IResult> OverviewAsync(HttpContext http, IAntiforgery antiforgery, AppLifecycle apps, DashboardHealth health, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = DashboardSession.UserOf(http, antiforgery)!;
        var statuses = await apps.OverviewAsync(cancellationToken, checkHealth: false);
        var rows = statuses.Select(s => new OverviewRow(s, s.ReleaseId is null ? s.Health : health.Of(s.App, s.ReleaseId, s.Target))).ToList();
        return Page<OverviewPage>(http, new OverviewModel(user, rows, time.GetUtcNow()));
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, IAntiforgery antiforgery, IDeploymentStore store, TimeProvider time,
        string? app, string? environment, string? state, string? branch, string? who, string? before, CancellationToken cancellationToken)
    {
        var user = DashboardSession.UserOf(http, antiforgery)!;
        var filters = new DeploymentFilters(Blank(app), Blank(environment), Blank(state), Blank(branch), Blank(who), Blank(before));
        string? problem = null;
        DeploymentState? wanted = null;
        if (filters.State is { } s && (wanted = DeploymentStates.Parse(s)) is null)
        {
            problem = $"'{s}' is not a state; use one of: {string.Join(", ", Enum.GetValues<DeploymentState>().Select(v => v.Name()))}.";
        }

        DateTimeOffset? beforeAt = null;
        if (filters.Before is { } b)
        {
            if (DateTimeOffset.TryParse(b, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                beforeAt = at;
            }
            else
            {
                problem = $"'{b}' is not an instant; use ISO 8601, e.g. 2026-11-27T08:00:00Z.";
            }
        }

        var now = time.GetUtcNow();
        IReadOnlyList<DeploymentView> views = [];
        if (problem is null)
        {
            var found = await store.ListAsync(
                new DeploymentQuery
                {
                    App = filters.App, Environment = filters.Environment, State = wanted, Branch = filters.Branch, TriggeredBy = filters.Who,
                    Before = beforeAt, Limit = ListLimit, WithTimeline = false,
                },
                cancellationToken);
            views = [.. found.Select(d => DeploymentView.Of(d, now))];
        }

        var known = await store.AppsAsync(cancellationToken);
        var older = views.Count == ListLimit
            ? "/deployments" + QueryString.Create(new Dictionary<string, string?>
            {
                ["app"] = filters.App, ["environment"] = filters.Environment, ["state"] = filters.State, ["branch"] = filters.Branch, ["who"] = filters.Who,
                ["before"] = views[^1].CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            }.Where(p => p.Value is not null))
            : null;
        return Page<DeploymentListPage>(http, new DeploymentListModel(
            user,
            views,
            filters,
            [.. known.Select(d => d.App).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. known.Select(d => d.Environment).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            older,
            problem), problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> DeploymentAsync(HttpContext http, string id, IAntiforgery antiforgery, IDeploymentStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = DashboardSession.UserOf(http, antiforgery)!;
        var (deployment, notFound) = await FindAsync(http, user, store, id, cancellationToken);
        if (deployment is null)
        {
            return notFound!;
        }

        var findings = await store.GetFindingsAsync(deployment.Id, cancellationToken);
        var explanations = await store.GetExplanationsAsync(deployment.Id, cancellationToken);
        var steps = await store.GetCanaryStepsAsync(deployment.Id, cancellationToken);
        var log = await ReadLogTailAsync(store, deployment.Id, cancellationToken);
        var (choices, unavailable) = await RollbackChoicesAsync(store, deployment, cancellationToken);
        return Page<DeploymentPage>(http, new DeploymentPageModel(
            user, DeploymentView.Of(deployment, time.GetUtcNow()), findings, explanations, steps, log.Lines, log.Cut, choices, unavailable));
    }

    private static async Task<IResult> DeployFormAsync(HttpContext http, IAntiforgery antiforgery, IDeploymentStore store, string? repository, string? @ref, string? environment, CancellationToken cancellationToken)
    {
        var user = DashboardSession.UserOf(http, antiforgery)!;
        return Page<DeployPage>(http, await DeployFormModelAsync(store, user, repository, @ref, environment, null, cancellationToken));
    }

    // ---- actions ----

    private static async Task<IResult> CancelAsync(HttpContext http, string id, IAntiforgery antiforgery, IDeploymentStore store, DeploymentIntake intake, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (user, form, deployment, refused) = await ActionOnAsync(http, id, antiforgery, store, cancellationToken);
        if (deployment is null)
        {
            return refused!;
        }

        var page = $"/deployments/{deployment.Id}";
        if (deployment.IsFinished)
        {
            return Message(http, user, StatusCodes.Status409Conflict, "Already finished", $"Deployment {deployment.ShortId()} is {deployment.State.Name()}: there is nothing to cancel.", page);
        }

        if (form["confirmed"] != "yes")
        {
            return Page<ConfirmPage>(http, new ConfirmModel(
                user,
                $"Cancel deployment {deployment.ShortId()}?",
                [
                    $"{deployment.App} to {deployment.Environment}, {deployment.State.Name()} now.",
                    deployment.State == DeploymentState.Queued
                        ? "It is still queued: it is cancelled at once and its job is skipped."
                        : "It is running: its worker stops it at its next step, and what served before keeps serving.",
                ],
                $"{page}/cancel",
                new Dictionary<string, string> { ["confirmed"] = "yes" },
                "Cancel the deployment",
                page));
        }

        try
        {
            var result = await intake.CancelAsync(deployment.Id, user.Caller, cancellationToken);
            var state = result.Deployment.State.Name();
            var logger = Logger(loggers);
            LogAction(logger, user.Caller, "cancel", deployment.Id, state);
        }
        catch (CancelRefusedException ex)
        {
            return Message(http, user, StatusCodes.Status409Conflict, "Already finished", ex.Message, page);
        }

        return Results.Redirect(page);
    }

    private static async Task<IResult> RollbackAsync(HttpContext http, string id, IAntiforgery antiforgery, IDeploymentStore store, DeploymentIntake intake, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (user, form, deployment, refused) = await ActionOnAsync(http, id, antiforgery, store, cancellationToken);
        if (deployment is null)
        {
            return refused!;
        }

        var page = $"/deployments/{deployment.Id}";
        var (choices, unavailable) = await RollbackChoicesAsync(store, deployment, cancellationToken);
        var choice = choices.FirstOrDefault(c => c.PutOutBy.ToString() == form["to"].ToString());
        if (choice is null)
        {
            return Message(http, user, StatusCodes.Status409Conflict, "No such release to go back to",
                unavailable ?? "The release chosen is not an earlier release of this app and environment any more (the page was old); reload it and choose again.", page);
        }

        var via = await store.GetAsync(choice.Via, cancellationToken);
        if (via is null)
        {
            return Message(http, user, StatusCodes.Status409Conflict, "No such release to go back to", "The records changed meanwhile; reload the page and choose again.", page);
        }

        var key = form["key"].ToString();
        if (form["confirmed"] != "yes" || key.Length is 0 or > 64)
        {
            return Page<ConfirmPage>(http, new ConfirmModel(
                user,
                $"Roll {deployment.App} ({deployment.Environment}) back to {choice.ReleaseId}?",
                [
                    $"Release {choice.ReleaseId}{(choice.Commit is { Length: >= 7 } c ? $" (commit {c[..7]})" : string.Empty)}, put out by deployment {choice.PutOutBy.ToString()[..DeploymentLookup.ShortLength]} on {choice.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC, runs again: nothing is built, its image is started, health-checked and switched to.",
                    "If it does not become healthy, the release serving now keeps serving.",
                ],
                $"{page}/rollback",
                new Dictionary<string, string> { ["confirmed"] = "yes", ["to"] = choice.PutOutBy.ToString(), ["key"] = Guid.NewGuid().ToString("N") },
                "Roll back",
                page));
        }

        try
        {
            var result = await intake.SubmitAsync(DeploymentIntake.RollbackRequest(via, user.Caller) with { IdempotencyKey = "dashboard:" + key }, cancellationToken);
            if (result.Added)
            {
                ServerMetrics.JobsQueued.WithLabels(result.Job.Environment, "dashboard").Inc();
                var logger = Logger(loggers);
                var (what, state) = ("rollback to " + choice.ReleaseId, result.Deployment.State.Name());
                LogAction(logger, user.Caller, what, result.Deployment.Id, state);
            }

            return Results.Redirect($"/deployments/{result.Deployment.Id}");
        }
        catch (RollbackRefusedException ex)
        {
            return Message(http, user, StatusCodes.Status409Conflict, "Cannot roll back", ex.Message, page);
        }
        catch (IdempotencyKeyReusedException ex)
        {
            return Results.Redirect($"/deployments/{ex.Existing.Id}");
        }
        catch (QueueUnavailableException ex)
        {
            return Message(http, user, StatusCodes.Status503ServiceUnavailable, "Cannot queue the rollback now", $"{ex.Message}. Nothing was changed; try again in a moment.", page);
        }
    }

    private static async Task<IResult> DeployAsync(HttpContext http, IAntiforgery antiforgery, IDeploymentStore store, DeploymentIntake intake, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (user, form, refused) = await ActionAsync(http, antiforgery);
        if (refused is not null)
        {
            return refused;
        }

        var repository = Blank(form["repository"]);
        var @ref = Blank(form["ref"]);
        var environment = Blank(form["environment"]) ?? "production";
        var model = await DeployFormModelAsync(store, user, repository, @ref, environment, null, cancellationToken);
        string? problem = null;
        if (repository is null || !model.Repositories.Contains(repository, StringComparer.Ordinal))
        {
            problem = "Choose one of the apps in the list (repositories DeployMind has deployed; a new one is deployed first from the CLI or the API).";
        }
        else if (@ref is null || @ref.Length > 200 || @ref.Any(char.IsWhiteSpace))
        {
            problem = "Type the branch or commit to deploy (no spaces), e.g. main or 3f2c1a9.";
        }
        else if (environment.Length > 64 || environment.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')))
        {
            problem = "The environment is a name of letters, digits, '-', '_' or '.', e.g. production.";
        }

        if (problem is not null)
        {
            return Page<DeployPage>(http, model with { Problem = problem }, StatusCodes.Status400BadRequest);
        }

        var key = form["key"].ToString();
        if (form["confirmed"] != "yes" || key.Length is 0 or > 64)
        {
            return Page<ConfirmPage>(http, new ConfirmModel(
                user,
                $"Deploy {repository} at {@ref} to {environment}?",
                [
                    "It is queued for a worker: scanned, built, deployed with the environment's strategy, health-checked and verified.",
                    "If it fails anywhere, the release serving now keeps serving.",
                ],
                "/deploy",
                new Dictionary<string, string> { ["confirmed"] = "yes", ["repository"] = repository!, ["ref"] = @ref!, ["environment"] = environment, ["key"] = Guid.NewGuid().ToString("N") },
                "Deploy",
                "/deploy"));
        }

        try
        {
            var result = await intake.SubmitAsync(
                new DeploymentRequest
                {
                    Environment = environment,
                    TriggeredBy = user.Caller,
                    Repository = repository,
                    Ref = @ref,
                    Branch = @ref,
                    Priority = JobPriority.Manual,
                    IdempotencyKey = "dashboard:" + key,
                },
                cancellationToken);
            if (result.Added)
            {
                ServerMetrics.JobsQueued.WithLabels(result.Job.Environment, "dashboard").Inc();
                var logger = Logger(loggers);
                var (what, state) = ($"deploy {repository}@{@ref}", result.Deployment.State.Name());
                LogAction(logger, user.Caller, what, result.Deployment.Id, state);
            }

            return Results.Redirect($"/deployments/{result.Deployment.Id}");
        }
        catch (IdempotencyKeyReusedException ex)
        {
            return Results.Redirect($"/deployments/{ex.Existing.Id}");
        }
        catch (QueueUnavailableException ex)
        {
            return Page<DeployPage>(http, model with { Problem = $"Cannot queue the deployment now: {ex.Message}. Nothing was queued; try again in a moment." }, StatusCodes.Status503ServiceUnavailable);
        }
        catch (Domain.InvalidInputException ex)
        {
            return Page<DeployPage>(http, model with { Problem = ex.Message }, StatusCodes.Status400BadRequest);
        }
    }

    // ---- helpers ----

    /// <summary>An action's checks, in order: the anti-forgery token, then the deploy scope.</summary>
    private static async Task<(DashboardUser User, IFormCollection Form, IResult? Refused)> ActionAsync(HttpContext http, IAntiforgery antiforgery)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = DashboardSession.UserOf(http, antiforgery)!;
        if (await CsrfProblemAsync(http, antiforgery) is { } refused)
        {
            return (user, form, refused);
        }

        if (!user.CanAct)
        {
            return (user, form, Message(http, user, StatusCodes.Status403Forbidden, "Not allowed with this token",
                $"The token '{user.Name}' has the '{user.Scope.Name()}' scope: it can look, not act. Rollback, cancel and deploy need the 'deploy' scope (`deploymind token create NAME --scope deploy`)."));
        }

        return (user, form, null);
    }

    /// <summary>An action on one deployment: <see cref="ActionAsync"/>'s checks, then the deployment (null with the answer to give).</summary>
    private static async Task<(DashboardUser User, IFormCollection Form, Deployment? Deployment, IResult? Refused)> ActionOnAsync(
        HttpContext http, string id, IAntiforgery antiforgery, IDeploymentStore store, CancellationToken cancellationToken)
    {
        var (user, form, refused) = await ActionAsync(http, antiforgery);
        if (refused is not null)
        {
            return (user, form, null, refused);
        }

        var (deployment, notFound) = await FindAsync(http, user, store, id, cancellationToken);
        return (user, form, deployment, notFound);
    }

    private static async Task<IResult?> CsrfProblemAsync(HttpContext http, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            var user = DashboardUser.NameOf(http.User) is null ? null : DashboardSession.UserOf(http, antiforgery);
            return Message(http, user, StatusCodes.Status400BadRequest, "The form was refused",
                "It carried no valid anti-forgery token, so it may not come from this dashboard (or the page is older than your session). Nothing was done; reload the page and try again.");
        }
    }

    private static async Task<(Deployment? Deployment, IResult? Problem)> FindAsync(HttpContext http, DashboardUser user, IDeploymentStore store, string id, CancellationToken cancellationToken)
    {
        var (deployment, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        return deployment is not null
            ? (deployment, null)
            : (null, Message(http, user, problem is ProblemHttpResult { StatusCode: StatusCodes.Status409Conflict } ? StatusCodes.Status409Conflict : StatusCodes.Status404NotFound,
                "No such deployment", $"No deployment matches '{id}' (an id, or its first 8 characters when they are unique).", "/deployments"));
    }

    private static async Task<(IReadOnlyList<LogLine> Lines, bool Cut)> ReadLogTailAsync(IDeploymentStore store, Guid id, CancellationToken cancellationToken)
    {
        var lines = new List<LogLine>();
        long after = 0;
        var cut = false;
        while (true)
        {
            var batch = await store.ReadLogAsync(id, after, 1000, cancellationToken);
            lines.AddRange(batch);
            if (lines.Count > LogLinesShown)
            {
                lines.RemoveRange(0, lines.Count - LogLinesShown);
                cut = true;
            }

            if (batch.Count < 1000)
            {
                return (lines, cut);
            }

            after = batch[^1].Sequence;
        }
    }

    /// <summary>
    /// The earlier releases of the deployment's app and environment that a rollback can put back, newest first (each
    /// release once), and why there are none when there are none.
    /// </summary>
    internal static async Task<(IReadOnlyList<RollbackChoice> Choices, string? Unavailable)> RollbackChoicesAsync(IDeploymentStore store, Deployment of, CancellationToken cancellationToken)
    {
        // The releases a rollback can run: succeeded deployments with a release and an image, as the rollback's own rule reads them.
        var releases = (await store.ListAsync(
                new DeploymentQuery { App = of.App, Environment = of.Environment, State = DeploymentState.Succeeded, Limit = 50, WithTimeline = false }, cancellationToken))
            .Where(d => d.ReleaseId is not null && d.ImageTag is not null && !d.IsTeardown)
            .ToList();
        if (releases.Count < 2)
        {
            return ([], $"{of.App} ({of.Environment}) has no earlier successful release on record to go back to.");
        }

        var choices = new List<RollbackChoice>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { releases[0].ReleaseId! };
        for (var i = 1; i < releases.Count; i++)
        {
            var release = releases[i];
            if (!seen.Add(release.ReleaseId!))
            {
                continue;
            }

            // The newest deployment before it in time (after it in this newest-first list) that put out another release:
            // rolling that one back puts this release back.
            var via = releases.Take(i).Last(d => d.ReleaseId != release.ReleaseId);
            if (via.Repository is null)
            {
                continue;
            }

            choices.Add(new RollbackChoice(via.Id, release.Id, release.ReleaseId!, release.Commit, release.ImageTag, release.UpdatedAt));
        }

        return choices.Count > 0
            ? (choices, null)
            : ([], $"The earlier releases of {of.App} ({of.Environment}) were deployed from a folder, not a repository, so no worker can read their configuration: `deploymind rollback {of.ShortId()}` on the machine that deployed them does it.");
    }

    private static async Task<DeployFormModel> DeployFormModelAsync(
        IDeploymentStore store, DashboardUser user, string? repository, string? @ref, string? environment, string? problem, CancellationToken cancellationToken)
    {
        var known = await store.AppsAsync(cancellationToken);
        return new DeployFormModel(
            user,
            [.. known.Where(a => a.Repository is not null).Select(a => a.Repository!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. known.Select(a => a.Environment).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            repository,
            @ref,
            environment,
            problem);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Blank(Microsoft.Extensions.Primitives.StringValues value) => Blank(value.ToString());

    private static ILogger Logger(ILoggerFactory loggers) => loggers.CreateLogger("DeployMind.Server.Dashboard");

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard: {Caller} asked for {Action} → deployment {Id} ({State}).")]
    private static partial void LogAction(ILogger logger, string caller, string action, Guid id, string state);
}
