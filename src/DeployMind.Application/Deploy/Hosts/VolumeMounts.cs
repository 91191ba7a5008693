using System.Globalization;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>
/// Reads the volumes a container mounts as <c>--volume</c> takes them (checked by <see cref="ContainerSettings.ParseVolumes"/>):
/// <c>NAME:/path[:ro]</c> is a named volume docker owns, <c>/host/path:/path[:ro]</c> a folder of the host (a bind mount),
/// which DeployMind never removes.
/// </summary>
public static class VolumeMounts
{
    /// <summary>The volume's name or the host folder: what is before the first ':'.</summary>
    public static string SourceOf(string volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return volume.Split(':')[0];
    }

    /// <summary>Whether it is a bind mount of a host folder (its source is an absolute path).</summary>
    public static bool IsBindMount(string volume) => SourceOf(volume).StartsWith('/');

    /// <summary>The named volumes' names, in order, each once.</summary>
    public static IReadOnlyList<string> Named(IEnumerable<string> volumes) =>
        [.. volumes.Where(v => !IsBindMount(v)).Select(SourceOf).Distinct(StringComparer.Ordinal)];

    /// <summary>The bind mounts' host folders, in order, each once.</summary>
    public static IReadOnlyList<string> BindMounts(IEnumerable<string> volumes) =>
        [.. volumes.Where(IsBindMount).Select(SourceOf).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The volumes of a pull request's preview instance <paramref name="instance"/> of an accessory: a named volume gets the
    /// instance's prefix (<c>shop-db</c> → <c>shop-pr-7-shop-db</c>), so the preview never writes production's data; a
    /// writable bind mount becomes a named volume of the preview's own (<c>shop-pr-7-db-1</c>, for the second volume), since
    /// the host folder is production's; a read-only bind mount (a configuration file) stays as written.
    /// </summary>
    public static IReadOnlyList<string> ForPreview(IReadOnlyList<string> volumes, string instance, string accessory)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        var result = new List<string>(volumes.Count);
        for (var i = 0; i < volumes.Count; i++)
        {
            var parts = volumes[i].Split(':');
            var readOnly = parts.Length == 3 && parts[2] == "ro";
            if (IsBindMount(volumes[i]) && readOnly)
            {
                result.Add(volumes[i]);
                continue;
            }

            var name = IsBindMount(volumes[i]) ? string.Create(CultureInfo.InvariantCulture, $"{instance}-{accessory}-{i}") : $"{instance}-{parts[0]}";
            result.Add(string.Join(':', [name, .. parts[1..]]));
        }

        return result;
    }
}
