using System.Collections.Concurrent;
using System.Diagnostics;
using DeployMind.Application.Notifications;
using DeployMind.Application.Reporting;
using DeployMind.Application.Webhooks;
using DeployMind.Domain.Deploy;
using DeployMind.UnitTests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Notifications;

public sealed class NotificationDispatcherTests
{
    private const string UrlVariable = "DM_UT_NOTIFY_URL";

    [Theory]
    [InlineData(DeploymentState.Queued, false, null)]
    [InlineData(DeploymentState.Scanning, false, NotificationEvent.Started)]
    [InlineData(DeploymentState.Deploying, false, NotificationEvent.Started)]
    [InlineData(DeploymentState.Succeeded, false, NotificationEvent.Succeeded)]
    [InlineData(DeploymentState.Succeeded, true, NotificationEvent.RolledBack)]
    [InlineData(DeploymentState.Failed, false, NotificationEvent.Failed)]
    [InlineData(DeploymentState.RolledBack, false, NotificationEvent.RolledBack)]
    [InlineData(DeploymentState.Superseded, false, NotificationEvent.Superseded)]
    [InlineData(DeploymentState.Cancelled, false, NotificationEvent.Cancelled)]
    public void EventOf_StateOfTheReport_IsTheEventChannelsAskFor(DeploymentState state, bool isRollback, NotificationEvent? expected)
    {
        var report = Report(state) with { RollbackOf = isRollback ? Guid.NewGuid() : null };

        Assert.Equal(expected, NotificationDispatcher.EventOf(report));
    }

    [Fact]
    public void Wants_FiltersByEventsEnvironmentsAndApps()
    {
        var notice = new DeploymentNotice(NotificationEvent.Failed, Report(DeploymentState.Failed), new Uri("https://d.example/deployments/x"));

        Assert.True(NotificationDispatcher.Wants(new NotificationChannelOptions(), notice));
        Assert.True(NotificationDispatcher.Wants(new NotificationChannelOptions { Events = ["failed", "rolled-back"], Environments = ["Production"], Apps = ["shop"] }, notice));
        Assert.False(NotificationDispatcher.Wants(new NotificationChannelOptions { Events = ["succeeded"] }, notice));
        Assert.False(NotificationDispatcher.Wants(new NotificationChannelOptions { Environments = ["staging"] }, notice));
        Assert.False(NotificationDispatcher.Wants(new NotificationChannelOptions { Apps = ["billing"] }, notice));
        Assert.False(NotificationDispatcher.Wants(new NotificationChannelOptions { Enabled = false }, notice));
    }

    [Fact]
    public void LinkOf_PublicUrl_OrElseTheServersAddress()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("https://deploy.example.com/deployments/0f8fad5b-d9cb-469f-a165-70867728950e", NotificationDispatcher.LinkOf(new NotificationOptions { PublicUrl = "https://deploy.example.com/" }, "http://127.0.0.1:8090", id).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:8090/deployments/0f8fad5b-d9cb-469f-a165-70867728950e", NotificationDispatcher.LinkOf(new NotificationOptions(), "http://127.0.0.1:8090", id).AbsoluteUri);
    }

    [Fact]
    public async Task Report_SlowChannel_ReturnsAtOnce_IsGivenUpAtTheTimeout_AndRecordedWithoutItsUrl()
    {
        var secretUrl = "http://127.0.0.1:9/hooks/" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(UrlVariable, secretUrl);
        try
        {
            var hanging = new FakeSender("slack", hang: true);
            var store = new FakeDeploymentStore();
            await using var dispatcher = Dispatcher(store, [hanging], new NotificationOptions
            {
                Timeout = "300ms",
                Channels = { ["team"] = new NotificationChannelOptions { Type = "slack", UrlVariable = UrlVariable } },
            });
            var report = Report(DeploymentState.Failed);

            var clock = Stopwatch.StartNew();
            dispatcher.Report(report);
            var reported = clock.Elapsed;
            await dispatcher.FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

            Assert.True(reported < TimeSpan.FromMilliseconds(200), $"Report took {reported}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the slow channel held the notices for {clock.Elapsed}");
            Assert.Equal(1, hanging.Calls);
            var (id, entry) = Assert.Single(store.Log);
            Assert.Equal(report.Id, id);
            Assert.Equal("warning: notification 'team' (slack) of failed was not sent: no answer within 300ms (notifications.timeout)", entry.Text);
        }
        finally
        {
            Environment.SetEnvironmentVariable(UrlVariable, null);
        }
    }

    [Fact]
    public async Task Report_FailingChannel_RecordsTheReasonWithTheUrlRedacted_AndTheOtherChannelStillGetsIt()
    {
        var secretUrl = "http://127.0.0.1:9/hooks/" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(UrlVariable, secretUrl);
        try
        {
            var failing = new FakeSender("discord", fail: target => $"cannot post to {target.Url!.AbsoluteUri}");
            var working = new FakeSender("slack");
            var store = new FakeDeploymentStore();
            await using var dispatcher = Dispatcher(store, [failing, working], new NotificationOptions
            {
                Channels =
                {
                    ["broken"] = new NotificationChannelOptions { Type = "discord", UrlVariable = UrlVariable },
                    ["team"] = new NotificationChannelOptions { Type = "slack", UrlVariable = UrlVariable },
                },
            });

            dispatcher.Report(Report(DeploymentState.Scanning));
            dispatcher.Report(Report(DeploymentState.Building) with { Id = Guid.Empty });
            await dispatcher.FlushAsync(CancellationToken.None);

            Assert.Equal(2, working.Calls);
            var entries = store.Log.Select(l => l.Entry.Text).ToList();
            Assert.All(entries, e => Assert.DoesNotContain(secretUrl, e, StringComparison.Ordinal));
            Assert.Contains("warning: notification 'broken' (discord) of started was not sent: cannot post to ***", entries);
        }
        finally
        {
            Environment.SetEnvironmentVariable(UrlVariable, null);
        }
    }

    [Fact]
    public async Task Report_SameEventOfOneDeploymentTwice_IsSentOnce_StartedOnlyAtTheFirstStage()
    {
        Environment.SetEnvironmentVariable(UrlVariable, "http://127.0.0.1:9/x");
        try
        {
            var sender = new FakeSender("slack");
            await using var dispatcher = Dispatcher(new FakeDeploymentStore(), [sender], new NotificationOptions
            {
                Channels = { ["team"] = new NotificationChannelOptions { Type = "slack", UrlVariable = UrlVariable } },
            });
            var report = Report(DeploymentState.Scanning);

            dispatcher.Report(report);
            dispatcher.Report(report with { State = DeploymentState.Building });
            dispatcher.Report(report with { State = DeploymentState.Succeeded });
            dispatcher.Report(report with { State = DeploymentState.Succeeded });
            await dispatcher.FlushAsync(CancellationToken.None);

            Assert.Equal([NotificationEvent.Started, NotificationEvent.Succeeded], sender.Notices.Select(n => n.Event));
        }
        finally
        {
            Environment.SetEnvironmentVariable(UrlVariable, null);
        }
    }

    [Fact]
    public async Task LockWaiting_BeforeTheLimit_IsNotSent_After_IsSentWithTheDetail()
    {
        Environment.SetEnvironmentVariable(UrlVariable, "http://127.0.0.1:9/x");
        try
        {
            var sender = new FakeSender("slack");
            await using var dispatcher = Dispatcher(new FakeDeploymentStore(), [sender], new NotificationOptions
            {
                LockWait = "2m",
                Channels = { ["team"] = new NotificationChannelOptions { Type = "slack", UrlVariable = UrlVariable, Events = ["lock_wait"] } },
            });
            var report = Report(DeploymentState.Queued);

            Assert.False(dispatcher.LockWaiting(report, TimeSpan.FromSeconds(90), "waiting for the lock of docker:local/shop, held by worker-1"));
            Assert.True(dispatcher.LockWaiting(report, TimeSpan.FromMinutes(3), "waiting for the lock of docker:local/shop, held by worker-1"));
            await dispatcher.FlushAsync(CancellationToken.None);

            var notice = Assert.Single(sender.Notices);
            Assert.Equal(NotificationEvent.LockWait, notice.Event);
            Assert.Equal("shop: deployment a1b2c3d to production is waiting for a lock", notice.Title);
            Assert.Equal("waiting for the lock of docker:local/shop, held by worker-1 (for 3m; notifications.lockWait is 2m)", notice.Detail);
        }
        finally
        {
            Environment.SetEnvironmentVariable(UrlVariable, null);
        }
    }

    [Fact]
    public async Task Remember_TheDeploymentsAppChannels_AreUsedInsteadOfTheProcesss()
    {
        Environment.SetEnvironmentVariable(UrlVariable, "http://127.0.0.1:9/x");
        try
        {
            var slack = new FakeSender("slack");
            var teams = new FakeSender("teams");
            await using var dispatcher = Dispatcher(new FakeDeploymentStore(), [slack, teams], new NotificationOptions
            {
                Channels = { ["machine"] = new NotificationChannelOptions { Type = "slack", UrlVariable = UrlVariable } },
            });
            var report = Report(DeploymentState.Failed);
            dispatcher.Remember(report.Id, new NotificationOptions { Channels = { ["app"] = new NotificationChannelOptions { Type = "teams", UrlVariable = UrlVariable } } });

            dispatcher.Report(report);
            dispatcher.Report(Report(DeploymentState.Failed));
            await dispatcher.FlushAsync(CancellationToken.None);

            Assert.Equal(report.Id, Assert.Single(teams.Notices).Deployment.Id);
            Assert.NotEqual(report.Id, Assert.Single(slack.Notices).Deployment.Id);
        }
        finally
        {
            Environment.SetEnvironmentVariable(UrlVariable, null);
        }
    }

    internal static DeploymentReport Report(DeploymentState state) => new()
    {
        Id = Guid.NewGuid(),
        App = "shop",
        Environment = "production",
        Repository = "acme/shop",
        Commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        Branch = "main",
        State = state,
        Strategy = StrategyKind.Canary,
        FailedStage = state == DeploymentState.Failed ? PipelineStage.Build : null,
        Reason = state == DeploymentState.Failed ? "docker build exited with 1" : null,
        TriggeredBy = "api:ci",
        Duration = TimeSpan.FromSeconds(95),
        At = DateTimeOffset.Parse("2026-12-07T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static NotificationDispatcher Dispatcher(FakeDeploymentStore store, IEnumerable<INotificationSender> senders, NotificationOptions options)
    {
        var services = new ServiceCollection().AddSingleton(Options.Create(options)).BuildServiceProvider();
        return new NotificationDispatcher(
            services.GetRequiredService<IServiceScopeFactory>(), senders, store, Options.Create(new ServerOptions()), TimeProvider.System, NullLogger<NotificationDispatcher>.Instance);
    }

    private sealed class FakeSender(string type, bool hang = false, Func<NotificationTarget, string>? fail = null) : INotificationSender
    {
        private readonly ConcurrentQueue<DeploymentNotice> _notices = new();
        private int _calls;

        public string Type => type;

        public int Calls => _calls;

        public IReadOnlyList<DeploymentNotice> Notices => [.. _notices];

        public async Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (hang)
            {
                // Ignores cancellation: the dispatcher must still stop waiting.
                await new TaskCompletionSource().Task;
            }

            if (fail is not null)
            {
                throw new HttpRequestException(fail(target));
            }

            _notices.Enqueue(notice);
        }
    }
}
