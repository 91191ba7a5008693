using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Domain;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy;

/// <summary>The environment's <c>target.docker.container</c> reaches the deploy request, and a bad value is a problem naming its key.</summary>
public sealed class DeployServiceContainerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void CreateRequest_ContainerSettings_AreTheRequests()
    {
        var service = Service(new ContainerOptions { Cpus = "1.5", Memory = "512m", Restart = "always", StopTimeout = "3s", Volumes = ["shop-data:/var/lib/shop"] });

        var request = service.CreateRequest(new DeployCommand("/apps/shop"), "/apps/shop", "shop:1");

        Assert.Equal(
            new ContainerSettings { Cpus = 1.5m, MemoryBytes = 512L << 20, Restart = "always", StopTimeout = TimeSpan.FromSeconds(3), Volumes = request.Container.Volumes },
            request.Container);
        Assert.Equal(["shop-data:/var/lib/shop"], request.Container.Volumes);
    }

    [Fact]
    public void CreateRequest_APreview_GetsVolumesOfItsOwnNeverProductions()
    {
        var service = Service(new ContainerOptions { Volumes = ["shop-data:/var/lib/shop", "/srv/uploads:/app/uploads", "/etc/shop/app.conf:/app/app.conf:ro"] });

        var request = service.CreateRequest(new DeployCommand("/apps/shop") { PullRequest = 7 }, "/apps/shop", "shop:1");

        Assert.Equal(["shop-pr-7-shop-data:/var/lib/shop", "shop-pr-7-app-1:/app/uploads", "/etc/shop/app.conf:/app/app.conf:ro"], request.Container.Volumes);
    }

    [Fact]
    public void CreateRequest_NoContainerBlock_InitIsOnAndTheRestAsBefore()
    {
        var settings = Service(new ContainerOptions()).CreateRequest(new DeployCommand("/apps/shop"), "/apps/shop", "shop:1").Container;

        Assert.Equal((true, TimeSpan.FromSeconds(10), "unless-stopped", (decimal?)null, (long?)null), (settings.Init, settings.StopTimeout, settings.Restart, settings.Cpus, settings.MemoryBytes));
        Assert.Empty(settings.Volumes);
    }

    [Fact]
    public void Problems_BadContainerSetting_NamesItsKey()
    {
        var service = Service(new ContainerOptions { Memory = "lots" });

        var problems = service.Problems(new DeployCommand("/apps/shop"));

        Assert.Equal(["environments.production.target.docker.container.memory: 'lots' is not a memory limit; write a whole number with a unit, e.g. 512m or 2g (units b, k, m, g)."], problems);
        Assert.Throws<InvalidInputException>(() => service.CreateRequest(new DeployCommand("/apps/shop"), "/apps/shop", "shop:1"));
    }

    [Fact]
    public void CreateRequest_WithARegistry_TheReleaseRunsTheRegistrysNameAndDeliversTheLocalImage()
    {
        var build = new Application.Build.BuildOptions { Registry = new() { Server = "registry.example.com/shop" } };
        var app = new AppOptions { App = "shop" };
        app.Environments["production"] = new EnvironmentOptions { Target = new TargetOptions { Docker = new DockerTargetOptions { DeliveryConcurrency = 5 } } };
        app.Environments["staging"] = new EnvironmentOptions { Build = new() { Registry = new() { Server = "none" } } };
        app.Environments["eu"] = new EnvironmentOptions { Build = new() { Registry = new() { Server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com" } } };
        var service = Service(app, build);

        var production = service.CreateRequest(new DeployCommand("/apps/shop"), "/apps/shop", "shop:3f2a1bc");
        var staging = service.CreateRequest(new DeployCommand("/apps/shop") { Environment = "staging" }, "/apps/shop", "shop:3f2a1bc");
        var eu = service.CreateRequest(new DeployCommand("/apps/shop") { Environment = "eu" }, "/apps/shop", "shop:3f2a1bc");

        Assert.Equal(("registry.example.com/shop/shop:3f2a1bc", "shop:3f2a1bc", 5), (production.Release.Image, production.Delivery.Source, production.Delivery.Concurrency));
        Assert.Equal("registry.example.com", production.Delivery.Registry!.Server);
        Assert.Equal(("shop:3f2a1bc", null), (staging.Release.Image, staging.Delivery.Registry));
        Assert.Equal("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:3f2a1bc", eu.Release.Image);
        Assert.True(eu.Delivery.Registry!.Ecr);
    }

    [Fact]
    public void Problems_BadRegistry_NamesTheEnvironmentsKey()
    {
        var app = new AppOptions { App = "shop" };
        app.Environments["production"] = new EnvironmentOptions { Build = new() { Registry = new() { Server = "registry.example.com", Username = "ci" } }, Target = new TargetOptions { Docker = new DockerTargetOptions { DeliveryConcurrency = 0 } } };

        var problems = Service(app, new()).Problems(new DeployCommand("/apps/shop"));

        Assert.Equal(
            [
                "environments.production.build.registry: the user ci has no password; set passwordVariable (an environment variable's name) or passwordFile. A password is never written in deploymind.yml.",
                "environments.production.target.docker.deliveryConcurrency is 0; it must be at least 1.",
            ],
            problems);
    }

    private DeployService Service(AppOptions app, Application.Build.BuildOptions build)
    {
        var rolling = new RollingStrategy(new ReleaseLauncher(new HealthChecker(new FakeDeployHost(), _time), _time), _time);
        return new DeployService(new Hosts(), [new DockerHostsTarget([rolling], new RollbackService(rolling))], Options.Create(app), _time, null, Options.Create(build));
    }

    private DeployService Service(ContainerOptions container)
    {
        var app = new AppOptions { App = "shop" };
        app.Environments["production"] = new EnvironmentOptions { Target = new TargetOptions { Docker = new DockerTargetOptions { Container = container } } };
        var rolling = new RollingStrategy(new ReleaseLauncher(new HealthChecker(new FakeDeployHost(), _time), _time), _time);
        return new DeployService(new Hosts(), [new DockerHostsTarget([rolling], new RollbackService(rolling))], Options.Create(app), _time);
    }

    private sealed class Hosts : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => new FakeDeployHost(options.Name).Host;
    }
}
