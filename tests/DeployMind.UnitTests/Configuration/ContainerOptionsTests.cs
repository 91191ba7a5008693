using DeployMind.Application.Configuration;
using DeployMind.Domain;

namespace DeployMind.UnitTests.Configuration;

/// <summary><c>target.docker.container:</c> read into checked settings; every bad value is refused naming its key.</summary>
public sealed class ContainerOptionsTests
{
    private const string Key = "environments.production.target.docker.container";

    [Fact]
    public void ToSettings_Defaults_InitTenSecondsUnlessStoppedNoLimitsNoVolumes()
    {
        var settings = new ContainerOptions().ToSettings(Key);

        Assert.True(settings.Init);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.StopTimeout);
        Assert.Equal("unless-stopped", settings.Restart);
        Assert.Null(settings.Cpus);
        Assert.Null(settings.MemoryBytes);
        Assert.Empty(settings.Volumes);
    }

    [Fact]
    public void ToSettings_EverySetting_IsRead()
    {
        var options = new ContainerOptions
        {
            Init = false,
            StopTimeout = "30s",
            Restart = "On-Failure:5",
            Cpus = "1.5",
            Memory = "512m",
            Volumes = ["data:/var/lib/app", "/srv/uploads:/app/uploads/:ro", "cache.v2:/cache:rw"],
        };

        var settings = options.ToSettings(Key);

        Assert.False(settings.Init);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.StopTimeout);
        Assert.Equal("on-failure:5", settings.Restart);
        Assert.Equal(1.5m, settings.Cpus);
        Assert.Equal(512L * 1024 * 1024, settings.MemoryBytes);
        Assert.Equal(["data:/var/lib/app", "/srv/uploads:/app/uploads:ro", "cache.v2:/cache:rw"], settings.Volumes);
    }

    [Theory]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("2GB", 2L * 1024 * 1024 * 1024)]
    [InlineData("6m", 6L * 1024 * 1024)]
    [InlineData("8192k", 8L * 1024 * 1024)]
    public void ToSettings_MemoryUnits_AreBytes(string memory, long bytes) =>
        Assert.Equal(bytes, new ContainerOptions { Memory = memory }.ToSettings(Key).MemoryBytes);

    [Theory]
    [InlineData("no")]
    [InlineData("always")]
    [InlineData("unless-stopped")]
    [InlineData("on-failure")]
    public void ToSettings_RestartPolicies_AreTaken(string policy) =>
        Assert.Equal(policy, new ContainerOptions { Restart = policy }.ToSettings(Key).Restart);

    [Theory]
    [InlineData("sometimes", ".restart: 'sometimes' is not a restart policy; use unless-stopped, always, on-failure, on-failure:N (N at least 1) or no.")]
    [InlineData("on-failure:0", ".restart: 'on-failure:0' is not a restart policy")]
    [InlineData("on-failure:x", ".restart: 'on-failure:x' is not a restart policy")]
    public void ToSettings_BadRestart_NamesTheKey(string restart, string message) =>
        AssertRefused(new ContainerOptions { Restart = restart }, message);

    [Theory]
    [InlineData("0", ".cpus: '0' is not a CPU limit; write the cores as a number between 0.01 and 1024, e.g. 0.5 or 1.5.")]
    [InlineData("-1", ".cpus: '-1' is not a CPU limit")]
    [InlineData("1,5", ".cpus: '1,5' is not a CPU limit")]
    [InlineData("two", ".cpus: 'two' is not a CPU limit")]
    [InlineData("0.125", ".cpus: '0.125' is not a CPU limit")]
    public void ToSettings_BadCpus_NamesTheKey(string cpus, string message) =>
        AssertRefused(new ContainerOptions { Cpus = cpus }, message);

    [Theory]
    [InlineData("lots", ".memory: 'lots' is not a memory limit; write a whole number with a unit, e.g. 512m or 2g (units b, k, m, g).")]
    [InlineData("512Mi", ".memory: '512Mi' is not a memory limit")]
    [InlineData("1.5g", ".memory: '1.5g' is not a memory limit")]
    [InlineData("4m", ".memory: '4m' is below docker's minimum memory limit of 6m.")]
    [InlineData("512", ".memory: '512' is below docker's minimum memory limit of 6m.")]
    public void ToSettings_BadMemory_NamesTheKey(string memory, string message) =>
        AssertRefused(new ContainerOptions { Memory = memory }, message);

    [Theory]
    [InlineData("2x", ".stopTimeout: '2x' is not a duration")]
    [InlineData("2h", ".stopTimeout: '2h' is too long; at most 1h.")]
    public void ToSettings_BadStopTimeout_NamesTheKey(string stopTimeout, string message) =>
        AssertRefused(new ContainerOptions { StopTimeout = stopTimeout }, message);

    [Theory]
    [InlineData("/var/lib/app", ".volumes[1]: '/var/lib/app' is not a volume; write NAME:/container/path (a named volume) or /host/path:/container/path (a bind mount), optionally ending in :ro.")]
    [InlineData("data", ".volumes[1]: 'data' is not a volume")]
    [InlineData("data:/a:ro:extra", ".volumes[1]: 'data:/a:ro:extra' is not a volume")]
    [InlineData("data::ro", ".volumes[1]: 'data::ro' is not a volume")]
    [InlineData("./data:/var/lib/app", ".volumes[1]: './data' is neither a volume name (letters, digits, '_', '.', '-') nor an absolute host path")]
    [InlineData("data/sub:/var/lib/app", ".volumes[1]: 'data/sub' is neither a volume name")]
    [InlineData("data:var/lib/app", ".volumes[1]: the container path 'var/lib/app' must be absolute (e.g. /var/lib/app), without '.' or '..'.")]
    [InlineData("data:/var/../etc", ".volumes[1]: the container path '/var/../etc' must be absolute")]
    [InlineData("/srv/../etc:/data", ".volumes[1]: the host path '/srv/../etc' must not contain '.' or '..'.")]
    [InlineData("data:/", ".volumes[1]: a volume cannot be mounted over the container's root '/'.")]
    [InlineData("data:/var/lib/app:rx", ".volumes[1]: 'rx' is not a mount mode; use ro (read-only) or rw.")]
    [InlineData("other:/cache/", ".volumes[1]: the container path '/cache' is mounted twice; each path takes one volume.")]
    public void ToSettings_BadVolume_NamesTheKeyAndIndex(string volume, string message) =>
        AssertRefused(new ContainerOptions { Volumes = ["cache:/cache", volume] }, message);

    private static void AssertRefused(ContainerOptions options, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => options.ToSettings(Key));
        Assert.StartsWith(Key + message, error.Message, StringComparison.Ordinal);
    }
}
