using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Ruby from a Gemfile: Rails or Sinatra, Rack (config.ru) or a script entry, Ruby version.</summary>
internal sealed partial class RubyProbe : IStackProbe
{
    public const string Manifest = "Gemfile";
    public const int DefaultPort = 3000;
    public const int SinatraPort = 4567;

    private const string RackConfig = "config.ru";

    /// <summary>Gem → framework; Rails first (its Gemfile may list Sinatra-based tools).</summary>
    private static readonly (string Gem, string Framework)[] Frameworks =
    [
        ("rails", "rails"),
        ("railties", "rails"),
        ("sinatra", "sinatra"),
    ];

    private static readonly string[] ScriptEntries = ["app.rb", "main.rb", "server.rb", "application.rb"];

    public Language Language => Language.Ruby;

    public IReadOnlyList<string> Manifests { get; } = [Manifest];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        if (!folder.FileExists(Manifest))
        {
            return null;
        }

        var candidate = new DetectionCandidate(Language.Ruby, Manifest, "bundler");
        candidate.Evidence.Add(Manifest);
        var gemfile = await folder.ReadTextAsync(Manifest, cancellationToken).ConfigureAwait(false) ?? string.Empty;
        var gems = Gem().Matches(gemfile).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var (gem, framework) in Frameworks)
        {
            if (gems.Contains(gem))
            {
                candidate.SetFramework(framework, $"Gemfile: dependency {gem}");
                break;
            }
        }

        if (folder.FileExists("Gemfile.lock"))
        {
            candidate.Lockfile = "Gemfile.lock";
            candidate.Evidence.Add("Gemfile.lock");
        }

        await ComposeAsync(folder, candidate, bundled: true, cancellationToken).ConfigureAwait(false);
        var declaredRuby = RubyVersion().Match(gemfile);
        candidate.SetFact(
            DetectionFacts.RubyVersion,
            await folder.ReadFirstLineAsync(".ruby-version", cancellationToken).ConfigureAwait(false)
                ?? (declaredRuby.Success ? declaredRuby.Groups[1].Value : null));
        return candidate;
    }

    /// <summary>Entry, port and start command from the framework; <paramref name="bundled"/> prefixes <c>bundle exec</c>.</summary>
    public static async Task ComposeAsync(AppFolder folder, DetectionCandidate candidate, bool bundled, CancellationToken cancellationToken)
    {
        var prefix = bundled ? "bundle exec " : string.Empty;
        candidate.Port = candidate.Framework == "sinatra" ? SinatraPort : DefaultPort;
        var rack = folder.FileExists(RackConfig);
        if (candidate.Framework == "rails")
        {
            candidate.EntryPoint = rack ? RackConfig : null;
            candidate.StartCommand = $"{prefix}rails server -b 0.0.0.0 -p $PORT";
            return;
        }

        if (rack)
        {
            candidate.EntryPoint = RackConfig;
            candidate.Evidence.Add(RackConfig);
            candidate.StartCommand = $"{prefix}rackup -o 0.0.0.0 -p $PORT";
            return;
        }

        candidate.EntryPoint = await FindScriptAsync(folder, candidate.Framework, cancellationToken).ConfigureAwait(false);
        candidate.StartCommand = $"{prefix}ruby {candidate.EntryPoint ?? "app.rb"}";
    }

    private static async Task<string?> FindScriptAsync(AppFolder folder, string? framework, CancellationToken cancellationToken)
    {
        var conventional = folder.FirstExisting(ScriptEntries);
        if (conventional is not null || framework is null)
        {
            return conventional;
        }

        foreach (var file in folder.FilesIn(string.Empty, "*.rb"))
        {
            var text = await folder.ReadTextAsync(file, cancellationToken).ConfigureAwait(false);
            if (text?.Contains(framework, StringComparison.Ordinal) == true)
            {
                return file;
            }
        }

        return null;
    }

    [GeneratedRegex("""^\s*gem\s*\(?\s*["']([^"']+)["']""", RegexOptions.Multiline)]
    private static partial Regex Gem();

    [GeneratedRegex("""^\s*ruby\s*\(?\s*["']([^"']+)["']""", RegexOptions.Multiline)]
    private static partial Regex RubyVersion();
}
