using System.Net;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Server;
using DeployMind.IntegrationTests.Support;
using Microsoft.Playwright;

namespace DeployMind.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Playwright driving Debian's Chromium against a real server whose worker builds and
/// deploys the Python example (a bare git repository on this machine) with a canary behind the managed nginx, under a
/// bounded load loop. Signing in, a deploy started from the page moving through its stages live, its canary chart, a
/// rollback from the page with the previous release serving again through nginx, a read token that cannot act, a form
/// without its anti-forgery token refused, signing out. The screenshots in docs/dashboard.md are taken here.
/// </summary>
[Collection(DashboardBrowsers.Name)]
public sealed class DashboardBrowserTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan DeployWait = TimeSpan.FromMinutes(4);
    private readonly string _app = "dash-" + Guid.NewGuid().ToString("N")[..6];
    private readonly TempFolder _work = new();
    private readonly TempFolder _prefix = new();
    private readonly int _port = Support.Docker.FreePort();
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardBrowsers.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        var ids = await Support.Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={_app}");
        foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Support.Docker.RunAsync("rm", "--force", id);
        }

        await Support.Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var images = await Support.Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", _app);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Support.Docker.RemoveImageAsync(image);
        }

        Dispose();
    }

    public void Dispose()
    {
        _work.Dispose();
        _prefix.Dispose();
    }

    [Fact]
    public async Task SignIn_DeployLive_CanaryChart_RollBackFromThePage_ReadTokenCannotAct_CsrfRefused_SignOut()
    {
        var bare = await CreateRepositoryAsync();
        await using var server = await DeployMindServerFixture.StartAsync(
            new Dictionary<string, string?>
            {
                ["server:workers:enabled"] = "true",
                ["nginx:prefix"] = _prefix.Path,
            },
            machineConfig: Repo.LocalBaseImagesConfig);
        var ops = await server.Get<IApiTokens>().CreateAsync("ops", ApiScope.Deploy, CancellationToken.None);
        var viewer = await server.Get<IApiTokens>().CreateAsync("viewer", ApiScope.Read, CancellationToken.None);

        // v1 comes first over the API: the app is then on record and can be deployed from the page.
        var api = server.CreateClient(ops);
        using (var first = await api.SendAsync(ApiTestData.Post("api/deployments", new { repository = bare, environment = "production" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            var v1 = await WaitFinishedAsync(server.Store, Guid.Parse((await ApiTestData.JsonAsync(first))["id"]!.GetValue<string>()));
            Assert.True(v1.State == DeploymentState.Succeeded, $"v1: {v1.State} {v1.Reason}");
        }

        Assert.Contains("release one", await AppAsync(), StringComparison.Ordinal);
        await CommitAsync("release two");

        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();

        // Signing in: the overview asks for it first, then comes back.
        await page.GotoAsync("/");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("API token").FillAsync(ops);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What runs where" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "production" })).ToBeVisibleAsync();
        var cookies = await context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "deploymind_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(cookies, c => c.Value.Contains(ops, StringComparison.Ordinal));

        // A deploy from the page, watched live: the state badge moves on its own, and the log grows.
        await using (var load = new LoadLoop(_port, clients: 2, pause: TimeSpan.FromMilliseconds(20)))
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Deploy", Exact = true }).ClickAsync();
            await page.GetByLabel("App (repository)").SelectOptionAsync(bare);
            await page.GetByLabel("Branch or commit").FillAsync("main");
            await page.GetByRole(AriaRole.Button, new() { Name = "Review and deploy" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();
            await page.WaitForURLAsync("**/deployments/*");
            var seen = new List<string>();
            var until = DateTime.UtcNow + DeployWait;
            while (DateTime.UtcNow < until)
            {
                var state = (await page.Locator("#state").TextContentAsync())?.Trim() ?? string.Empty;
                if (seen.Count == 0 || seen[^1] != state)
                {
                    seen.Add(state);
                }

                if (state is "succeeded" or "failed" or "rolled_back" or "cancelled")
                {
                    break;
                }

                await Task.Delay(250);
            }

            Assert.True(seen[^1] == "succeeded", $"states seen on the page: {string.Join(" → ", seen)}; log: {await page.Locator("#log").TextContentAsync()}");
            Assert.True(seen.Count >= 3, $"the page did not move through the stages live: {string.Join(" → ", seen)}");
            Assert.Contains(seen, s => s is "building" or "deploying" or "verifying");
            Assert.Contains("canary at 50%", await page.Locator("#log").TextContentAsync() ?? string.Empty, StringComparison.Ordinal);
            await load.StopAsync();
            Assert.Equal(0, load.Failures);
        }

        Assert.Contains("release two", await AppAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(_app + " → production");

        // The canary's chart: the three figures per step with the limits drawn, and the same figures as a table.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Canary" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg[data-metric=errors] line.limit.hard")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("svg[data-metric=share] g.step")).ToHaveCountAsync(1);
        var requests = await page.Locator("table.canary-table tbody tr th + td").First.TextContentAsync();
        Assert.Matches(@"^\d+ / \d+$", requests!.Trim());
        Assert.NotEqual("0 / 0", requests.Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Repo.Root, "docs", "images", "dashboard-canary.png"), FullPage = true });
        var v2Page = page.Url;

        await page.GotoAsync("/");
        // Health is checked in the background (a page never waits on the hosts): the live refresh brings it within seconds.
        await Assertions.Expect(page.Locator("td span.badge.ok")).ToContainTextAsync("running on 1/1", new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Repo.Root, "docs", "images", "dashboard-overview.png") });

        // Roll back from the page to the first release: confirmed, queued, run, and v1 serves through nginx again.
        await page.GotoAsync(v2Page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back…" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading)).ToContainTextAsync("back to");
        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => url != v2Page && url.Contains("/deployments/", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("succeeded", new() { Timeout = (float)DeployWait.TotalMilliseconds });
        Assert.Contains("release one", await AppAsync(), StringComparison.Ordinal);
        Assert.Contains("dashboard:ops", await page.Locator("dl.facts").TextContentAsync() ?? string.Empty, StringComparison.Ordinal);
        var rollback = (await server.Store.ListAsync(new DeploymentQuery { App = _app, Limit = 1 }, CancellationToken.None))[0];
        Assert.Equal(("dashboard:ops", DeploymentState.Succeeded), (rollback.TriggeredBy, rollback.State));
        Assert.NotNull(rollback.RollbackOf);

        // A form without its anti-forgery token is refused, and nothing is queued.
        var before = (await server.Store.ListAsync(new DeploymentQuery { App = _app, Limit = 100 }, CancellationToken.None)).Count;
        await page.GotoAsync("/deploy");
        await page.GetByLabel("Branch or commit").FillAsync("main");
        await page.EvaluateAsync("document.querySelector('form.stack input[name=__csrf]').remove()");
        await page.GetByRole(AriaRole.Button, new() { Name = "Review and deploy" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The form was refused" })).ToBeVisibleAsync();
        Assert.Equal(before, (await server.Store.ListAsync(new DeploymentQuery { App = _app, Limit = 100 }, CancellationToken.None)).Count);

        // Signing out ends the session: the pages ask to sign in again.
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/signin**");
        await page.GotoAsync("/deployments");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await context.CloseAsync();

        // A read token can look but not act: no action on the page, and a well-formed action (valid token and form) is refused 403.
        // This one at a phone's width, signing in by keyboard alone (the field has the focus; Enter sends the form).
        var reader = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var look = await reader.NewPageAsync();
        await look.GotoAsync("/signin");
        await look.Keyboard.TypeAsync(viewer);
        await look.Keyboard.PressAsync("Enter");
        await Assertions.Expect(look.GetByRole(AriaRole.Heading, new() { Name = "What runs where" })).ToBeVisibleAsync();
        await look.GotoAsync(v2Page);
        await Assertions.Expect(look.Locator("#state")).ToHaveTextAsync("succeeded");
        Assert.True(await look.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the deployment page scrolls sideways at a phone's width");
        await Assertions.Expect(look.GetByRole(AriaRole.Button, new() { Name = "Roll back…" })).ToHaveCountAsync(0);
        await Assertions.Expect(look.GetByRole(AriaRole.Link, new() { Name = "Deploy", Exact = true })).ToHaveCountAsync(0);
        var csrf = await look.Locator("form.who input[name=__csrf]").GetAttributeAsync("value");
        var refused = await reader.APIRequest.PostAsync("/deploy", new APIRequestContextOptions
        {
            Form = ToForm(reader.APIRequest, new() { ["__csrf"] = csrf!, ["repository"] = bare, ["ref"] = "main", ["environment"] = "production", ["confirmed"] = "yes", ["key"] = "read-token-try" }),
            MaxRedirects = 0,
        });
        Assert.Equal(403, refused.Status);
        Assert.Contains("the &#x27;read&#x27; scope", await refused.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await server.Store.ListAsync(new DeploymentQuery { App = _app, Limit = 100 }, CancellationToken.None)).Count);
        await reader.CloseAsync();
    }

    private static IFormData ToForm(IAPIRequestContext request, Dictionary<string, string> fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }

    private async Task<string> AppAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
    }

    private static async Task<Deployment> WaitFinishedAsync(IDeploymentStore store, Guid id)
    {
        var until = DateTime.UtcNow + DeployWait;
        while (true)
        {
            var deployment = await store.GetAsync(id, CancellationToken.None);
            if (deployment is { IsFinished: true })
            {
                return deployment;
            }

            Assert.True(DateTime.UtcNow < until, $"deployment {id} not finished within {DeployWait}: {deployment?.State}");
            await Task.Delay(500);
        }
    }

    /// <summary>A bare repository with the Python example on main saying "release one", deployed with a two-step canary.</summary>
    private async Task<string> CreateRepositoryAsync()
    {
        var bare = Path.Combine(_work.Path, "app.git");
        var tree = Path.Combine(_work.Path, "tree");
        Directory.CreateDirectory(tree);
        foreach (var file in Directory.EnumerateFiles(Repo.Example("python-stdlib")))
        {
            File.Copy(file, Path.Combine(tree, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(tree, "deploymind.yml"), $$"""
            app: {{_app}}
            environments:
              production:
                branch: main
                strategy: canary
                target: { docker: { port: {{_port}} } }
                healthCheck: { path: /health, interval: 500ms, timeout: 2s, successes: 2, deadline: 90s }
                verify: { successes: 2, interval: 500ms, deadline: 30s }
                canary: { steps: [50, 100], stepDuration: 6s, minRequests: 10, onInsufficientData: pass }
            """);
        await GitAsync(_work.Path, "init", "--bare", "--initial-branch=main", bare);
        await GitAsync(tree, "init", "--initial-branch=main");
        await ReplaceGreetingAsync(tree, "release one");
        await GitAsync(tree, "add", ".");
        await GitAsync(tree, "-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-m", "release one");
        await GitAsync(tree, "push", bare, "main");
        return bare;
    }

    private async Task CommitAsync(string greeting)
    {
        var tree = Path.Combine(_work.Path, "tree");
        await ReplaceGreetingAsync(tree, greeting);
        await GitAsync(tree, "-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-am", greeting);
        await GitAsync(tree, "push", Path.Combine(_work.Path, "app.git"), "main");
    }

    private static async Task ReplaceGreetingAsync(string tree, string greeting)
    {
        var app = Path.Combine(tree, "app.py");
        var text = await File.ReadAllTextAsync(app);
        var start = text.IndexOf("\"message\": \"", StringComparison.Ordinal) + "\"message\": \"".Length;
        var end = text.IndexOf('"', start);
        await File.WriteAllTextAsync(app, text[..start] + "Hello from DeployMind, " + greeting + text[end..]);
    }

    private static async Task<string> GitAsync(string folder, params string[] args)
    {
        var result = await Support.Docker.Runner.RunAsync(new CommandSpec("git", ["-C", folder, .. args]), null, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"git {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput;
    }
}

/// <summary>The browser tests share Chromium (one at a time: each is a real browser and a real deploy).</summary>
[CollectionDefinition(Name)]
public sealed class DashboardBrowsers
{
    public const string Name = "dashboard browser";

    /// <summary>Debian's Chromium (apt-get install chromium; scripts/bootstrap.sh installs it).</summary>
    public const string Chromium = "/usr/bin/chromium";
}
