using System.Text;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Delivery;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Deploy.Delivery;

public sealed class ImageDeliveryTests
{
    private readonly FakeDeployHost _local = new("local");
    private readonly List<string> _steps = [];

    [Fact]
    public async Task Without_a_registry_streams_the_image_compressed_only_to_the_hosts_that_lack_it()
    {
        var web1 = new FakeDeployHost("web-1");
        var web2 = new FakeDeployHost("web-2") { LoadsImage = "shop:abc" };
        web2.MissingImages.Add("shop:abc");

        await Delivery().DeliverAsync(Request("shop:abc", null, web1.Host, web2.Host), new Observer(_steps), CancellationToken.None);

        Assert.Empty(web1.ImageActions);
        var archive = Assert.Single(web2.Loaded);
        Assert.EndsWith("shop:abc", Encoding.UTF8.GetString(archive), StringComparison.Ordinal);
        Assert.Contains("save shop:abc", _local.ImageActions);
        Assert.Contains(_steps, s => s.StartsWith("web-2: sent shop:abc: 0.1 MB as ", StringComparison.Ordinal) && s.Contains("compressed", StringComparison.Ordinal));
        Assert.DoesNotContain(_steps, s => s.StartsWith("web-1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_registry_tags_and_pushes_once_then_each_host_that_lacks_it_pulls_with_the_login()
    {
        var registry = RegistrySettings.Parse(new() { Server = "127.0.0.1:5000/team", Username = "ci", PasswordVariable = "REG_PASSWORD" }, "build.registry")!;
        var logins = new Logins(new RegistryLogin("127.0.0.1:5000", "ci", "s3cret-value"));
        var web1 = new FakeDeployHost("web-1");
        var web2 = new FakeDeployHost("web-2");
        web1.MissingImages.Add("127.0.0.1:5000/team/shop:abc");
        web2.MissingImages.Add("127.0.0.1:5000/team/shop:abc");
        _local.MissingImages.Add("127.0.0.1:5000/team/shop:abc");

        await Delivery(logins).DeliverAsync(Request("127.0.0.1:5000/team/shop:abc", ("shop:abc", registry), web1.Host, web2.Host), new Observer(_steps), CancellationToken.None);

        Assert.Equal(["tag shop:abc 127.0.0.1:5000/team/shop:abc", "push 127.0.0.1:5000/team/shop:abc as ci@127.0.0.1:5000"], _local.ImageActions);
        Assert.Equal(["pull 127.0.0.1:5000/team/shop:abc as ci@127.0.0.1:5000"], web1.ImageActions);
        Assert.Equal(["pull 127.0.0.1:5000/team/shop:abc as ci@127.0.0.1:5000"], web2.ImageActions);
        Assert.DoesNotContain(_steps, s => s.Contains("s3cret-value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_that_cannot_get_the_image_fails_the_delivery_with_its_own_error_naming_it()
    {
        var registry = RegistrySettings.Parse(new() { Server = "registry.example.com" }, "build.registry")!;
        var web1 = new FakeDeployHost("web-1");
        var web2 = new FakeDeployHost("web-2") { PullError = "docker pull failed on ssh deploy@web-2: no space left on device" };
        web1.MissingImages.Add("registry.example.com/shop:abc");
        web2.MissingImages.Add("registry.example.com/shop:abc");

        var error = await Assert.ThrowsAsync<DeployMindException>(() =>
            Delivery().DeliverAsync(Request("registry.example.com/shop:abc", ("shop:abc", registry), web1.Host, web2.Host), new Observer(_steps), CancellationToken.None));

        Assert.Contains("could not be put on 1 of 2 host(s); nothing was changed on any host", error.Message, StringComparison.Ordinal);
        Assert.Contains("web-2: docker pull failed on ssh deploy@web-2: no space left on device", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("web-1:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_left_with_another_image_under_the_name_is_a_failure_not_a_success()
    {
        var web1 = new FakeDeployHost("web-1");
        web1.MissingImages.Add("shop:abc");

        // The load "succeeds" but leaves no image under the release's name.
        var error = await Assert.ThrowsAsync<DeployMindException>(() =>
            Delivery().DeliverAsync(Request("shop:abc", null, web1.Host), new Observer(_steps), CancellationToken.None));

        Assert.Contains("web-1: after the transfer the host has no image shop:abc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_that_is_not_here_is_pulled_by_its_own_name_on_the_hosts_without_a_registry()
    {
        _local.MissingImages.Add("ghcr.io/acme/shop:1.2");
        var web1 = new FakeDeployHost("web-1");
        web1.MissingImages.Add("ghcr.io/acme/shop:1.2");

        await Delivery().DeliverAsync(Request("ghcr.io/acme/shop:1.2", null, web1.Host), new Observer(_steps), CancellationToken.None);

        Assert.Equal(["pull ghcr.io/acme/shop:1.2"], web1.ImageActions);
    }

    [Fact]
    public async Task A_push_that_fails_stops_before_any_host()
    {
        _local.MissingImages.Add("registry.example.com/shop:abc");
        var registry = RegistrySettings.Parse(new() { Server = "registry.example.com" }, "build.registry")!;
        var web1 = new FakeDeployHost("web-1");
        web1.MissingImages.Add("registry.example.com/shop:abc");
        var failing = new Delivering(_local) { PushError = "denied: requested access to the resource is denied" };

        var error = await Assert.ThrowsAsync<DeployMindException>(() =>
            new ImageDelivery(failing, new Logins(null), TimeProvider.System)
                .DeliverAsync(Request("registry.example.com/shop:abc", ("shop:abc", registry), web1.Host), new Observer(_steps), CancellationToken.None));

        Assert.Contains("Could not push registry.example.com/shop:abc to registry.example.com (denied", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed on any host", error.Message, StringComparison.Ordinal);
        Assert.Empty(web1.ImageActions);
    }

    private ImageDelivery Delivery(IRegistryLogins? logins = null) => new(new Delivering(_local), logins ?? new Logins(null), TimeProvider.System);

    private static DeployRequest Request(string image, (string Source, RegistrySettings Registry)? registry, params DeployHost[] hosts) =>
        new(new ReleaseSpec("shop", "r1", image, null), hosts, 8080, HealthPolicy.Default)
        {
            Delivery = new ImageDeliverySettings(registry?.Source ?? image, registry?.Registry, 2),
        };

    private sealed class Delivering(FakeDeployHost local) : IDeployHostFactory
    {
        public string? PushError { get; init; }

        public DeployHost Create(HostOptions options) =>
            PushError is null ? local.Host : local.Host with { Runtime = new FailingPush(local, PushError) };
    }

    private sealed class FailingPush(FakeDeployHost inner, string error) : IContainerRuntime
    {
        public Task PushImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken) => throw new DeployMindException(error);

        public Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken) => inner.ImageIdAsync(image, cancellationToken);

        public Task TagImageAsync(string source, string target, CancellationToken cancellationToken) => inner.TagImageAsync(source, target, cancellationToken);

        public Task<string> RunAsync(ContainerSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task StartAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ContainerState?> InspectAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> LogsAsync(string name, int lines, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlySet<int>?> ListeningPortsAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task FollowLogsAsync(string name, int lines, Action<string> line, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task StreamLogsAsync(string name, ContainerLogQuery query, Action<string> line, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> ExecAsync(string name, IReadOnlyList<string> command, Action<string> line, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task StopAsync(string name, TimeSpan grace, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ContainerState>> ListAsync(string app, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> ImageInUseAsync(string image, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveImageAsync(string image, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> ExecInteractiveAsync(string name, IReadOnlyList<string> command, bool interactive, bool tty, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> VolumesOfAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> VolumeUsersAsync(string volume, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VolumeRemoval> RemoveVolumeAsync(string volume, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ContainerState>> ListByLabelAsync(string label, string value, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PullImageAsync(string image, RegistryLogin? login, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task SaveImageAsync(string image, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task LoadImageAsync(Func<Stream, CancellationToken, Task> writeArchive, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Logins(RegistryLogin? login) : IRegistryLogins
    {
        public Task<RegistryLogin?> LoginAsync(RegistrySettings registry, CancellationToken cancellationToken) => Task.FromResult(login);
    }

    private sealed class Observer(List<string> steps) : IDeployObserver
    {
        public void Step(string host, string message) => steps.Add($"{host}: {message}");

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message)
        {
        }
    }
}
