using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>What one probe concluded about an application folder; <see cref="LanguageDetector"/> weighs the candidates.</summary>
internal sealed class DetectionCandidate
{
    public DetectionCandidate(Language language, string manifest, string packageManager)
    {
        Language = language;
        Manifest = manifest;
        PackageManager = packageManager;
    }

    public Language Language { get; }

    /// <summary>The file that made the probe speak up (e.g. "package.json"); named when the candidate is outweighed.</summary>
    public string Manifest { get; }

    public string PackageManager { get; set; }

    public string? Framework { get; set; }

    public string? EntryPoint { get; set; }

    public string StartCommand { get; set; } = string.Empty;

    public int Port { get; set; }

    public string? Lockfile { get; set; }

    /// <summary>The candidate rests on loose source files, not on a manifest.</summary>
    public bool FromLooseFiles { get; init; }

    /// <summary>For a loose-file guess: an entry file of the language sits in the root (a stronger hint than files further down).</summary>
    public bool LooseEntryInRoot { get; init; }

    /// <summary>The manifest exists but could not be parsed; the language is still right, the details are guesses.</summary>
    public bool ManifestUnreadable { get; set; }

    public List<string> Evidence { get; } = [];

    public Dictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    /// <summary>Records a fact only when it has a value.</summary>
    public void SetFact(string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            Facts[key] = value.Trim();
        }
    }

    /// <summary>Records the framework and the dependency that revealed it.</summary>
    public void SetFramework(string framework, string evidence)
    {
        Framework = framework;
        Evidence.Add(evidence);
    }

    /// <summary>
    /// How sure the candidate is on its own: 1 manifest + framework, 0.9 manifest only, 0.7 unreadable manifest;
    /// loose files: 0.6 with a framework import, 0.5 with a root entry file, 0.4 otherwise.
    /// </summary>
    public double Confidence
    {
        get
        {
            if (FromLooseFiles)
            {
                return Framework is not null ? 0.6 : LooseEntryInRoot ? 0.5 : 0.4;
            }

            if (ManifestUnreadable)
            {
                return 0.7;
            }

            return Framework is null ? 0.9 : 1.0;
        }
    }
}
