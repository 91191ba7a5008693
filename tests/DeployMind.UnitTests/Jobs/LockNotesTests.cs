using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;

namespace DeployMind.UnitTests.Jobs;

public sealed class LockNotesTests
{
    [Fact]
    public void Holding_IsReadBack_WithItsTargetAndOwner()
    {
        var owner = TargetLocks.OwnerOf("cli:ops", Guid.Parse("3f2a1b9c-0000-0000-0000-000000000001"));
        var note = LockNotes.Holding(new LockHandle("docker:ssh://deploy@web-1:22/shop-pr-7", owner, 42, "n"), owner);

        Assert.True(LockNotes.TryParse(note, out var target, out var parsedOwner));
        Assert.Equal("docker:ssh://deploy@web-1:22/shop-pr-7", target);
        Assert.Equal(owner, parsedOwner);
        Assert.StartsWith("cli:ops@", parsedOwner, StringComparison.Ordinal);
        Assert.EndsWith("deployment 3f2a1b9c-0000-0000-0000-000000000001", parsedOwner, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("waiting for the lock of docker:local, held by w1")]
    [InlineData("holding docker:local with fencing token x (w1)")]
    [InlineData("")]
    public void OtherNotes_AreNotHoldingNotes(string detail) => Assert.False(LockNotes.TryParse(detail, out _, out _));

    [Theory]
    [InlineData("docker:local", "local", null)]
    [InlineData("docker:local/shop-pr-7", "local", null)]
    [InlineData("docker:ssh://deploy@127.0.0.1:2222", "ssh://deploy@127.0.0.1:2222", "ssh://deploy@127.0.0.1:2222")]
    [InlineData("docker:ssh://deploy@127.0.0.1:2222/shop-pr-7", "ssh://deploy@127.0.0.1:2222", "ssh://deploy@127.0.0.1:2222")]
    public void InterruptedCleanup_ReachesHostsThatNeedNoConfiguration(string target, string name, string? ssh)
    {
        var host = DeployService.ReachableHostOf(target);

        Assert.NotNull(host);
        Assert.Equal((name, ssh), (host.Name, host.Ssh));
    }

    [Theory]
    [InlineData("docker:web-1")]
    [InlineData("k8s:staging/shop/api")]
    public void InterruptedCleanup_LeavesNamedAndKubernetesTargets(string target) => Assert.Null(DeployService.ReachableHostOf(target));
}
