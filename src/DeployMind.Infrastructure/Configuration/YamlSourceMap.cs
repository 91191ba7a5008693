using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployMind.Infrastructure.Configuration;

/// <summary>
/// Where each key of a YAML configuration file is written, keyed the way the YAML configuration provider flattens the file:
/// mapping keys joined by ':' and sequence items by index ("environments:production:target:docker:hosts:0:ssh"),
/// case-insensitive. Covers block and flow style; only the first document is read (as the provider does).
/// </summary>
internal sealed class YamlSourceMap
{
    private readonly Dictionary<string, YamlKeyPosition> _positions = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<KeyValuePair<string, YamlKeyPosition>> _ordered = [];

    private YamlSourceMap()
    {
    }

    /// <summary>An empty map (a file that is missing or cannot be parsed: it has nothing to point at).</summary>
    public static YamlSourceMap Empty { get; } = new();

    /// <summary>Every key in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, YamlKeyPosition>> Keys => _ordered;

    /// <summary>Maps the YAML in <paramref name="reader"/>.</summary>
    /// <exception cref="YamlException">The text is not YAML.</exception>
    public static YamlSourceMap Parse(TextReader reader)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        var map = new YamlSourceMap();
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root)
        {
            map.Visit(null, root);
        }

        return map;
    }

    /// <summary>Maps a file; <see cref="Empty"/> when it is missing or not YAML.</summary>
    public static YamlSourceMap Load(string path)
    {
        try
        {
            using var reader = File.OpenText(path);
            return Parse(reader);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or YamlException)
        {
            return Empty;
        }
    }

    /// <summary>Where <paramref name="key"/> (a configuration path) is written.</summary>
    public bool TryFind(string key, out YamlKeyPosition position) => _positions.TryGetValue(key, out position);

    private void Visit(string? path, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } name })
                    {
                        Add(Combine(path, name), key.Start, value);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    Add(Combine(path, i.ToString(CultureInfo.InvariantCulture)), item.Start, item);
                }

                break;
            default:
                break;
        }
    }

    private void Add(string key, Mark keyStart, YamlNode value)
    {
        var position = new YamlKeyPosition((int)keyStart.Line, (int)keyStart.Column, (int)value.Start.Line, (int)value.Start.Column, value is YamlScalarNode);
        if (_positions.TryAdd(key, position))
        {
            _ordered.Add(new(key, position));
        }

        Visit(key, value);
    }

    private static string Combine(string? path, string key) => path is null ? key : $"{path}:{key}";
}
