using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>
/// How a release's containers run on a Docker host (<c>target.docker.container:</c>, checked): an init process, the stop
/// timeout, the restart policy, limits and volumes. <see cref="Apply"/> puts them on a <see cref="ContainerSpec"/>.
/// </summary>
public sealed partial record ContainerSettings
{
    /// <summary>What DeployMind runs when nothing is configured: an init process, 10 s to stop, restart unless stopped, no limits.</summary>
    public static ContainerSettings Default { get; } = new();

    public bool Init { get; init; } = true;

    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string Restart { get; init; } = "unless-stopped";

    /// <summary>CPU limit in cores; null: none.</summary>
    public decimal? Cpus { get; init; }

    /// <summary>Memory limit in bytes; null: none.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Checked volumes, as docker's <c>--volume</c> takes them ("data:/var/lib/app", "/srv/up:/app/up:ro").</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>A copy of <paramref name="spec"/> that runs with these settings.</summary>
    public ContainerSpec Apply(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec with { Init = Init, StopTimeout = StopTimeout, Restart = Restart, Cpus = Cpus, MemoryBytes = MemoryBytes, Volumes = Volumes };
    }

    /// <summary>A restart policy docker knows: no, always, unless-stopped, on-failure or on-failure:N (N ≥ 1).</summary>
    /// <exception cref="InvalidInputException">Not one; the message names <paramref name="key"/>.</exception>
    public static string ParseRestart(string? text, string key)
    {
        var policy = text?.Trim().ToLowerInvariant();
        if (policy is "no" or "always" or "unless-stopped" or "on-failure")
        {
            return policy;
        }

        if (policy is not null && policy.StartsWith("on-failure:", StringComparison.Ordinal)
            && int.TryParse(policy["on-failure:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var retries) && retries >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"on-failure:{retries}");
        }

        throw new InvalidInputException($"{key}: '{text}' is not a restart policy; use unless-stopped, always, on-failure, on-failure:N (N at least 1) or no.");
    }

    /// <summary>A CPU limit in cores: a positive number such as 0.5 or 1.5 (at most two decimals).</summary>
    /// <exception cref="InvalidInputException">Not one; the message names <paramref name="key"/>.</exception>
    public static decimal ParseCpus(string? text, string key)
    {
        var trimmed = text?.Trim() ?? string.Empty;
        if (Cores().IsMatch(trimmed)
            && decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus) && cpus >= 0.01m && cpus <= 1024m)
        {
            return cpus;
        }

        throw new InvalidInputException($"{key}: '{text}' is not a CPU limit; write the cores as a number between 0.01 and 1024, e.g. 0.5 or 1.5.");
    }

    /// <summary>A memory limit: a whole number with a unit b, k, m or g (kb, mb, gb too), at least 6m (docker's minimum).</summary>
    /// <exception cref="InvalidInputException">Not one; the message names <paramref name="key"/>.</exception>
    public static long ParseMemory(string? text, string key)
    {
        var match = Memory().Match(text?.Trim() ?? string.Empty);
        if (!match.Success || !long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw new InvalidInputException($"{key}: '{text}' is not a memory limit; write a whole number with a unit, e.g. 512m or 2g (units b, k, m, g).");
        }

        var multiplier = match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "k" or "kb" => 1024L,
            "m" or "mb" => 1024L * 1024,
            "g" or "gb" => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var bytes = number > long.MaxValue / multiplier ? long.MaxValue : number * multiplier;
        return bytes >= 6 * 1024 * 1024
            ? bytes
            : throw new InvalidInputException($"{key}: '{text}' is below docker's minimum memory limit of 6m.");
    }

    /// <summary>
    /// Checked volumes: "NAME:/container/path" (a named volume) or "/host/path:/container/path", each optionally ending in
    /// ":ro" or ":rw". The container path is absolute; a relative host path ("./data", "data/x") and a path alone (an
    /// anonymous volume, new with every release) are refused as ambiguous; a container path appears once.
    /// </summary>
    /// <exception cref="InvalidInputException">One is not; the message names <paramref name="key"/> and its index.</exception>
    public static IReadOnlyList<string> ParseVolumes(IReadOnlyList<string> volumes, string key)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        var checkedVolumes = new List<string>(volumes.Count);
        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < volumes.Count; i++)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{key}[{i}]");
            var text = volumes[i]?.Trim() ?? string.Empty;
            var parts = text.Split(':');
            if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            {
                throw new InvalidInputException(
                    $"{at}: '{volumes[i]}' is not a volume; write NAME:/container/path (a named volume) or /host/path:/container/path (a bind mount), optionally ending in :ro.");
            }

            var (source, target) = (parts[0], parts[1]);
            if (!source.StartsWith('/') && !VolumeName().IsMatch(source))
            {
                throw new InvalidInputException(
                    $"{at}: '{source}' is neither a volume name (letters, digits, '_', '.', '-') nor an absolute host path; write a bind mount's host path from the root (/srv/app/data).");
            }

            if (!target.StartsWith('/') || target.Split('/').Any(s => s is "." or ".."))
            {
                throw new InvalidInputException($"{at}: the container path '{target}' must be absolute (e.g. /var/lib/app), without '.' or '..'.");
            }

            if (source.StartsWith('/') && source.Split('/').Any(s => s is "." or ".."))
            {
                throw new InvalidInputException($"{at}: the host path '{source}' must not contain '.' or '..'.");
            }

            var normalized = target.Length > 1 ? target.TrimEnd('/') : target;
            if (normalized == "/")
            {
                throw new InvalidInputException($"{at}: a volume cannot be mounted over the container's root '/'.");
            }

            if (!targets.Add(normalized))
            {
                throw new InvalidInputException($"{at}: the container path '{normalized}' is mounted twice; each path takes one volume.");
            }

            var mode = parts.Length == 3 ? parts[2].ToLowerInvariant() : null;
            if (mode is not (null or "ro" or "rw"))
            {
                throw new InvalidInputException($"{at}: '{parts[2]}' is not a mount mode; use ro (read-only) or rw.");
            }

            checkedVolumes.Add(mode is null ? $"{source}:{normalized}" : $"{source}:{normalized}:{mode}");
        }

        return checkedVolumes;
    }

    [GeneratedRegex(@"^\d+(\.\d{1,2})?$")]
    private static partial Regex Cores();

    [GeneratedRegex(@"^(?<n>\d+)\s*(?<unit>[bBkKmMgG]|[kKmMgG][bB])?$")]
    private static partial Regex Memory();

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex VolumeName();
}
