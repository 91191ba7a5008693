using System.Collections;
using DeployMind.Application.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace DeployMind.Infrastructure.Configuration;

/// <summary>
/// Locates settings in the configuration's own sources, in its own precedence: YAML files (mapped line by line with
/// <see cref="YamlSourceMap"/>, parsed when first asked) and environment variables. Other sources (flags, in-memory
/// settings, JSON files) have no location. The sources are captured when it is created, so it still answers after the
/// host that owned the configuration is gone (an error is described after its command ended).
/// </summary>
internal sealed class ConfigurationLocator : IConfigurationLocator
{
    private readonly IReadOnlyList<Source> _sources;

    public ConfigurationLocator(IConfiguration configuration, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var providers = configuration is IConfigurationRoot root ? root.Providers.ToList() : [];
        _sources = [.. providers.Select(p => Source.Of(p, currentDirectory))];
    }

    public ConfigurationLocation? Locate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var path = ConfigurationKey.Normalize(key);

        // A value: the source that wins is the one the configuration reads it from.
        for (var i = _sources.Count - 1; i >= 0; i--)
        {
            if (_sources[i].Provider.TryGet(path, out var value))
            {
                return _sources[i].Locate(path, value);
            }
        }

        // A section, or a value left at its default: the nearest enclosing section a file writes (not the top level,
        // which would point at any file's first line).
        for (string? section = path; section is not null && (section == path || section.Contains(':', StringComparison.Ordinal)); section = ConfigurationKey.Parent(section))
        {
            for (var i = _sources.Count - 1; i >= 0; i--)
            {
                if (_sources[i].File is { } file && _sources[i].Map!.Value.TryFind(section, out var position))
                {
                    return ConfigurationLocation.InFile(file, position.KeyLine, position.KeyColumn);
                }
            }
        }

        return null;
    }

    public IReadOnlyList<WrittenKey> WrittenKeys() =>
        [.. _sources.Where(s => s.File is not null).SelectMany(s => s.Map!.Value.Keys.Select(k => new WrittenKey(k.Key, ConfigurationLocation.InFile(s.File!, k.Value.KeyLine, k.Value.KeyColumn))))];

    /// <summary>One configuration source: a YAML file (shown as <see cref="File"/>), environment variables, or something else.</summary>
    private sealed record Source(IConfigurationProvider Provider, string? File, Lazy<YamlSourceMap>? Map, bool IsEnvironment)
    {
        public static Source Of(IConfigurationProvider provider, string currentDirectory)
        {
            if (provider is FileConfigurationProvider { Source: { Path: { } relative, FileProvider: { } files } }
                && files.GetFileInfo(relative).PhysicalPath is { } full
                && (full.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || full.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)))
            {
                return new Source(provider, Shown(full, currentDirectory), new Lazy<YamlSourceMap>(() => YamlSourceMap.Load(full)), false);
            }

            return new Source(provider, null, null, provider is EnvironmentVariablesConfigurationProvider);
        }

        public ConfigurationLocation? Locate(string key, string? value)
        {
            if (File is not null)
            {
                if (!Map!.Value.TryFind(key, out var position))
                {
                    return null;
                }

                var (line, column) = position.Setting;
                return ConfigurationLocation.InFile(File, line, column);
            }

            return IsEnvironment ? ConfigurationLocation.InEnvironmentVariable(VariableFor(key, value)) : null;
        }

        // The variable that set the key: its name ends with the key's segments joined by "__" (after any prefix) and it has
        // the value in effect. The longest such name is the prefixed one (DEPLOYMIND__…), which is the one that is read.
        private static string VariableFor(string key, string? value)
        {
            var suffix = key.Replace(":", "__", StringComparison.Ordinal);
            var name = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                .Where(e => e.Key is string n && n.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                    && (n.Length == suffix.Length || n[^(suffix.Length + 1)] == '_')
                    && string.Equals(e.Value as string, value, StringComparison.Ordinal))
                .Select(e => (string)e.Key)
                .OrderByDescending(n => n.Length)
                .FirstOrDefault();
            return name ?? suffix.ToUpperInvariant();
        }

        private static string Shown(string full, string currentDirectory)
        {
            var relative = Path.GetRelativePath(currentDirectory, full);
            return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
        }
    }
}
