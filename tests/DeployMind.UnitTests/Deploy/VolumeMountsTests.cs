using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.UnitTests.Deploy;

public sealed class VolumeMountsTests
{
    private static readonly string[] Mounts = ["shop-db:/var/lib/postgresql/data", "/srv/shop/uploads:/app/uploads", "/etc/shop/pg.conf:/etc/pg.conf:ro", "shop-cache:/data:ro"];

    [Fact]
    public void NamedAndBindMounts_SplitBySource()
    {
        Assert.Equal(["shop-db", "shop-cache"], VolumeMounts.Named(Mounts));
        Assert.Equal(["/srv/shop/uploads", "/etc/shop/pg.conf"], VolumeMounts.BindMounts(Mounts));
    }

    [Fact]
    public void ForPreview_NamedVolumesGetThePrefix_WritableHostFoldersBecomeOwnVolumes_ReadOnlyFilesStay()
    {
        var preview = VolumeMounts.ForPreview(Mounts, "shop-pr-7", "db");

        Assert.Equal(
            ["shop-pr-7-shop-db:/var/lib/postgresql/data", "shop-pr-7-db-1:/app/uploads", "/etc/shop/pg.conf:/etc/pg.conf:ro", "shop-pr-7-shop-cache:/data:ro"],
            preview);
        Assert.DoesNotContain(preview, v => v.StartsWith("shop-db:", StringComparison.Ordinal) || v.StartsWith("/srv/shop/uploads", StringComparison.Ordinal));
    }

    [Fact]
    public void VolumeRemoval_Lines_NameTheVolumeAndWhoUsesIt()
    {
        Assert.Equal("shop-db removed", new VolumeRemoval("shop-db", VolumeRemovalOutcome.Removed, []).ToString());
        Assert.Equal("shop-db was not there", new VolumeRemoval("shop-db", VolumeRemovalOutcome.Missing, []).ToString());
        Assert.Equal("shop-db kept: still used by other-app-r1", new VolumeRemoval("shop-db", VolumeRemovalOutcome.InUse, ["other-app-r1"]).ToString());
    }
}
