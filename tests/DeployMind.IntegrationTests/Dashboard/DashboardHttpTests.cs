using System.Net;
using System.Text.RegularExpressions;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Server;
using DeployMind.IntegrationTests.Support;
using DeployMind.Server.Dashboard;

namespace DeployMind.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard over HTTP against a real server (no workers, no browser): the session's rules (sign-in, revocation, the
/// return path), the anti-forgery and scope checks of every action, the pages' headers and what they show from the
/// records (canary figures, escaped text), and the rollback's choice of releases.
/// </summary>
public sealed partial class DashboardHttpTests : IAsyncLifetime
{
    private DeployMindServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await DeployMindServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SignIn_RefusesAnUnknownToken_AndNeverSendsAnyoneElsewhereAfterwards()
    {
        var token = await _server.Get<IApiTokens>().CreateAsync("ops", ApiScope.Deploy, CancellationToken.None);
        using var browser = Browser();
        using (var page = await browser.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Equal("/signin?return=%2F", page.Headers.Location!.PathAndQuery);
        }

        using (var wrong = await SignInAsync(browser, "dm_not_a_token", "/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("unknown or revoked", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var elsewhere in new[] { "//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com" })
        {
            using var right = await SignInAsync(browser, token, elsewhere);
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
            Assert.Equal("/", right.Headers.Location!.OriginalString);
        }

        using var deployments = await SignInAsync(browser, token, "/deployments?state=failed");
        Assert.Equal("/deployments?state=failed", deployments.Headers.Location!.OriginalString);
        Assert.DoesNotContain(token, _server.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASession_EndsWhenItsTokenIsRevoked_EvenReplayedFromAnotherClient()
    {
        var tokens = _server.Get<IApiTokens>();
        var token = await tokens.CreateAsync("alice", ApiScope.Deploy, CancellationToken.None);
        using var browser = Browser();
        (await SignInAsync(browser, token, "/")).Dispose();
        using (var signedIn = await browser.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        var cookie = browser.Handler.CookieContainer.GetCookies(_server.BaseUrl)[DashboardSession.CookieName]!.Value;
        Assert.True(await tokens.RevokeAsync("alice", CancellationToken.None));
        using (var revoked = await browser.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        }

        using var replay = Browser();
        replay.Handler.CookieContainer.Add(_server.BaseUrl, new Cookie(DashboardSession.CookieName, cookie));
        using (var page = await replay.GetAsync(new Uri("/deployments", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        }

        using var again = await SignInAsync(browser, token, "/");
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        var reused = await Assert.ThrowsAsync<Domain.InvalidInputException>(() => tokens.CreateAsync("alice", ApiScope.Read, CancellationToken.None));
        Assert.Contains("names are not reused", reused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_NeedTheAntiForgeryToken_AndTheDeployScope_AndCancelRecordsWhoDidIt()
    {
        var tokens = _server.Get<IApiTokens>();
        var queued = await QueueAsync();

        using var ops = Browser();
        (await SignInAsync(ops, await tokens.CreateAsync("ops", ApiScope.Deploy, CancellationToken.None), "/")).Dispose();
        var csrf = Csrf(await ops.GetStringAsync(new Uri($"/deployments/{queued}", UriKind.Relative)));

        // Without the token (a form posted from another site would lack it): refused, nothing changes.
        using (var forged = await ops.PostAsync(new Uri($"/deployments/{queued}/cancel", UriKind.Relative), Form(("confirmed", "yes"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Contains("anti-forgery", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrong = await ops.PostAsync(new Uri($"/deployments/{queued}/cancel", UriKind.Relative), Form(("__csrf", csrf[..^4] + "AAAA"), ("confirmed", "yes"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        Assert.Equal(DeploymentState.Queued, (await _server.Store.GetAsync(queued, CancellationToken.None))!.State);

        // A read token's session carries a valid anti-forgery token, and is still refused.
        using var viewer = Browser();
        (await SignInAsync(viewer, await tokens.CreateAsync("viewer", ApiScope.Read, CancellationToken.None), "/")).Dispose();
        var viewerPage = await viewer.GetStringAsync(new Uri($"/deployments/{queued}", UriKind.Relative));
        Assert.DoesNotContain("/cancel", viewerPage, StringComparison.Ordinal);
        using (var read = await viewer.PostAsync(new Uri($"/deployments/{queued}/cancel", UriKind.Relative), Form(("__csrf", Csrf(viewerPage)), ("confirmed", "yes"))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
            Assert.Contains("deploy", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(DeploymentState.Queued, (await _server.Store.GetAsync(queued, CancellationToken.None))!.State);

        // With both: first a confirmation, then the cancel, recorded as the dashboard user's.
        using (var confirm = await ops.PostAsync(new Uri($"/deployments/{queued}/cancel", UriKind.Relative), Form(("__csrf", csrf))))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Contains("It is still queued", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(DeploymentState.Queued, (await _server.Store.GetAsync(queued, CancellationToken.None))!.State);
        using (var done = await ops.PostAsync(new Uri($"/deployments/{queued}/cancel", UriKind.Relative), Form(("__csrf", csrf), ("confirmed", "yes"))))
        {
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        }

        var cancelled = (await _server.Store.GetAsync(queued, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Cancelled, cancelled.State);
        Assert.Contains(cancelled.Events, e => e.Detail.Contains("dashboard:ops", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_OnlyForAppsOnRecord_WithAConfirmation_AndARepeatedConfirmQueuesOnce()
    {
        var repository = "/srv/git/shop-" + Guid.NewGuid().ToString("N")[..6] + ".git";
        await QueueAsync(repository);
        using var ops = Browser();
        (await SignInAsync(ops, await _server.Get<IApiTokens>().CreateAsync("ops", ApiScope.Deploy, CancellationToken.None), "/")).Dispose();
        var csrf = Csrf(await ops.GetStringAsync(new Uri("/deploy", UriKind.Relative)));

        using (var unknown = await ops.PostAsync(new Uri("/deploy", UriKind.Relative), Form(("__csrf", csrf), ("repository", "/elsewhere.git"), ("ref", "main"), ("environment", "production"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("Choose one of the apps", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var spaced = await ops.PostAsync(new Uri("/deploy", UriKind.Relative), Form(("__csrf", csrf), ("repository", repository), ("ref", "main; rm -rf /"), ("environment", "production"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, spaced.StatusCode);
        }

        var count = (await _server.Store.ListAsync(new DeploymentQuery { Repository = repository, Limit = 50 }, CancellationToken.None)).Count;
        using (var confirm = await ops.PostAsync(new Uri("/deploy", UriKind.Relative), Form(("__csrf", csrf), ("repository", repository), ("ref", "release/2"), ("environment", "staging"))))
        {
            var text = await confirm.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Contains("at release/2 to staging?", WebUtility.HtmlDecode(text), StringComparison.Ordinal);
            var key = KeyField().Match(text).Groups[1].Value;
            Assert.NotEmpty(key);
            var fields = Form(("__csrf", csrf), ("repository", repository), ("ref", "release/2"), ("environment", "staging"), ("confirmed", "yes"), ("key", key));
            using var first = await ops.PostAsync(new Uri("/deploy", UriKind.Relative), fields);
            using var second = await ops.PostAsync(new Uri("/deploy", UriKind.Relative), Form(("__csrf", csrf), ("repository", repository), ("ref", "release/2"), ("environment", "staging"), ("confirmed", "yes"), ("key", key)));
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
            Assert.Equal(first.Headers.Location, second.Headers.Location);
        }

        var all = await _server.Store.ListAsync(new DeploymentQuery { Repository = repository, Limit = 50 }, CancellationToken.None);
        Assert.Equal(count + 1, all.Count);
        Assert.Equal(("staging", "release/2", "dashboard:ops"), (all[0].Environment, all[0].Branch, all[0].TriggeredBy));
    }

    [Fact]
    public async Task Pages_HaveTheirOwnContentSecurityPolicy_TheApiKeepsItsOwn_AndAssetsAreCached()
    {
        using var browser = Browser();
        (await SignInAsync(browser, await _server.Get<IApiTokens>().CreateAsync("ops", ApiScope.Read, CancellationToken.None), "/")).Dispose();
        using var page = await browser.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        using var api = await _server.Client.GetAsync(new Uri("/api/deployments", UriKind.Relative));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", api.Headers.GetValues("Content-Security-Policy").Single());

        using var css = await browser.GetAsync(new Uri("/assets/dashboard.css", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/assets/dashboard.css");
        again.Headers.IfNoneMatch.Add(css.Headers.ETag!);
        using var cached = await browser.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        using var missing = await browser.GetAsync(new Uri("/assets/other.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ADeploymentPage_DrawsItsRecordedCanarySteps_EscapesRecordedText_AndStreamsItsLogToTheSession()
    {
        var store = _server.Store;
        var d = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Canary, "api:ci", DateTimeOffset.UtcNow) { Repository = "acme/shop" };
        await store.AddAsync(d, CancellationToken.None);
        d.MoveTo(DeploymentState.Scanning, "Scan started <script>alert(1)</script>", DateTimeOffset.UtcNow);
        await store.SaveAsync(d, CancellationToken.None);
        await store.AppendLogAsync(d.Id, [new LogEntry(DateTimeOffset.UtcNow, "scan", "line one </pre><b>bold</b>")], CancellationToken.None);
        await store.SaveCanaryStepsAsync(d.Id,
            [
                new RecordedCanaryStep(10, "healthy", "comparison", "no worse than the stable release", new RecordedUpstream(120, 1, 40), new RecordedUpstream(1080, 9, 38), 0.1, 0.05, 0.01, 900, 0.2),
                new RecordedCanaryStep(50, "unhealthy", "canary.maxErrorRateIncrease", "5xx rate 9.0% is worse than the stable's", new RecordedUpstream(600, 54, 44), new RecordedUpstream(600, 5, 39), 0.5, 0.05, 0.01, 900, 0.2),
            ],
            CancellationToken.None);

        using var browser = Browser();
        (await SignInAsync(browser, await _server.Get<IApiTokens>().CreateAsync("viewer", ApiScope.Read, CancellationToken.None), "/")).Dispose();
        var html = await browser.GetStringAsync(new Uri($"/deployments/{d.ShortId()}", UriKind.Relative));
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(html, "<svg[^>]+data-metric"));
        Assert.Equal(4, Regex.Count(html, "class=\"limit hard\"")); // per step: canary.maxErrorRate on the 5xx chart, canary.maxP95 on the p95 chart
        Assert.Contains("data-verdict=\"unhealthy\"", html, StringComparison.Ordinal);
        Assert.Contains("600 / 600", html, StringComparison.Ordinal);
        Assert.Contains("0.83% / 9%", html, StringComparison.Ordinal); // stable 5/600, canary 54/600
        Assert.Contains($"data-stream=\"/deployments/{d.Id}/events?after=1\"", html, StringComparison.Ordinal);

        // The page's stream: the session is enough (no bearer token), and it starts after the lines the page shows.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/deployments/{d.Id}/events?after=1");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var stream = await browser.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);

        // Signed out, a script asking for it gets 401, not a sign-in page.
        using var anonymous = Browser();
        using var refused = new HttpRequestMessage(HttpMethod.Get, $"/deployments/{d.Id}/events");
        refused.Headers.Accept.ParseAdd("text/event-stream");
        using var answer = await anonymous.SendAsync(refused);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    [Fact]
    public async Task ABlueGreenPage_ShowsItsObservationWindowFromTheLog()
    {
        var store = _server.Store;
        var d = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.BlueGreen, "api:ci", DateTimeOffset.UtcNow) { Repository = "acme/shop" };
        await store.AddAsync(d, CancellationToken.None);
        await store.AppendLogAsync(d.Id,
            [
                new LogEntry(DateTimeOffset.UtcNow, "deploy", "local: switched to shop-green"),
                new LogEntry(DateTimeOffset.UtcNow, "deploy", "blue-green: observing for 30s; the previous colour stays warm"),
                new LogEntry(DateTimeOffset.UtcNow, "deploy", "blue-green: new colour: 120 requests, 0 5xx, p95 41 ms, 12 s left"),
                new LogEntry(DateTimeOffset.UtcNow, "build", "Step 3/6 : RUN go build"),
            ],
            CancellationToken.None);

        using var browser = Browser();
        (await SignInAsync(browser, await _server.Get<IApiTokens>().CreateAsync("viewer", ApiScope.Read, CancellationToken.None), "/")).Dispose();
        var html = await browser.GetStringAsync(new Uri($"/deployments/{d.Id}", UriKind.Relative));
        var section = html[html.IndexOf("Observation window", StringComparison.Ordinal)..html.IndexOf("</section>", html.IndexOf("Observation window", StringComparison.Ordinal), StringComparison.Ordinal)];
        Assert.Contains("switched to shop-green", section, StringComparison.Ordinal);
        Assert.Contains("new colour: 120 requests", section, StringComparison.Ordinal);
        Assert.DoesNotContain("go build", section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeploymentsList_FiltersByWhoAndBranch_AndSaysWhatIsWrongWithAFilter()
    {
        var mine = await QueueAsync("/srv/git/list-" + Guid.NewGuid().ToString("N")[..6] + ".git");
        using var browser = Browser();
        (await SignInAsync(browser, await _server.Get<IApiTokens>().CreateAsync("viewer", ApiScope.Read, CancellationToken.None), "/")).Dispose();
        var byWho = await browser.GetStringAsync(new Uri("/deployments?who=api:ci&branch=main", UriKind.Relative));
        Assert.Contains(mine.ToString("N")[..8], byWho, StringComparison.Ordinal);
        var nobody = await browser.GetStringAsync(new Uri("/deployments?who=dashboard:", UriKind.Relative));
        Assert.Contains("No deployment matches.", nobody, StringComparison.Ordinal);
        using var bad = await browser.GetAsync(new Uri("/deployments?state=exploded", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("is not a state", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RollbackChoices_AreTheEarlierReleases_EachOnce_ReachedThroughTheDeploymentThatReplacedThem()
    {
        var store = _server.Store;
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        async Task<Deployment> ReleaseAsync(string release, int minutes, bool succeed = true, string? repository = "acme/web")
        {
            var d = new Deployment(Guid.NewGuid(), "web", "production", StrategyKind.Rolling, "api:ci", t0.AddMinutes(minutes)) { Repository = repository, Branch = "main" };
            await store.AddAsync(d, CancellationToken.None);
            d.MoveTo(DeploymentState.Deploying, "Deploy started", t0.AddMinutes(minutes));
            d.RecordImage("web:" + release, 10);
            d.RecordRelease(release, "local", null, 8080);
            if (succeed)
            {
                d.MoveTo(DeploymentState.Verifying, "Verify started", t0.AddMinutes(minutes));
                d.MoveTo(DeploymentState.Succeeded, "all stages passed", t0.AddMinutes(minutes));
            }
            else
            {
                d.Fail(PipelineStage.Deploy, "unhealthy", t0.AddMinutes(minutes));
            }

            await store.SaveAsync(d, CancellationToken.None);
            return d;
        }

        var r1 = await ReleaseAsync("r1", 1);
        var r2 = await ReleaseAsync("r2", 2);
        var r2Again = await ReleaseAsync("r2", 3);
        await ReleaseAsync("r-bad", 4, succeed: false);
        var r3 = await ReleaseAsync("r3", 5);

        var (choices, unavailable) = await DashboardEndpoints.RollbackChoicesAsync(store, r3, CancellationToken.None);
        Assert.Null(unavailable);
        Assert.Equal(["r2", "r1"], choices.Select(c => c.ReleaseId));
        Assert.Equal((r3.Id, r2Again.Id), (choices[0].Via, choices[0].PutOutBy));
        Assert.Equal((r2.Id, r1.Id), (choices[1].Via, choices[1].PutOutBy));

        // What the engine does with each: a rollback of Via goes back to exactly that release.
        var rollbacks = _server.Get<Application.Pipeline.RollbackRunner>();
        Assert.Equal("r2", (await rollbacks.PreviousAsync(r3, CancellationToken.None)).ReleaseId);
        Assert.Equal("r1", (await rollbacks.PreviousAsync(r2, CancellationToken.None)).ReleaseId);
    }

    private async Task<Guid> QueueAsync(string repository = "/srv/git/shop.git")
    {
        var client = _server.CreateClient(await _server.CreateTokenAsync("ci-" + Guid.NewGuid().ToString("N")[..6]));
        using var response = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository, environment = "production", @ref = "main" }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return Guid.Parse((await ApiTestData.JsonAsync(response))["id"]!.GetValue<string>());
    }

    private SessionClient Browser() => new(_server.BaseUrl);

    private static async Task<HttpResponseMessage> SignInAsync(SessionClient browser, string token, string back)
    {
        var csrf = Csrf(await browser.GetStringAsync(new Uri("/signin", UriKind.Relative)));
        return await browser.PostAsync(new Uri("/signin", UriKind.Relative), Form(("__csrf", csrf), ("token", token), ("return", back)));
    }

    private static string Csrf(string html) => CsrfField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no anti-forgery field in the page");

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    [GeneratedRegex("name=\"key\" value=\"([0-9a-f]+)\"")]
    private static partial Regex KeyField();

    /// <summary>An HttpClient that keeps cookies and does not follow redirects, as a browser's session would be seen by the server.</summary>
    private sealed class SessionClient : HttpClient
    {
        public SessionClient(Uri baseUrl)
            : this(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseProxy = false }, baseUrl)
        {
        }

        private SessionClient(HttpClientHandler handler, Uri baseUrl)
            : base(handler, disposeHandler: true)
        {
            Handler = handler;
            BaseAddress = baseUrl;
            Timeout = TimeSpan.FromSeconds(30);
        }

        public HttpClientHandler Handler { get; }
    }
}
