using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace DeployMind.Application.Configuration;

/// <summary>
/// The keys the bound options classes accept, found by reflection over their public properties the way the configuration
/// binder reads them: a class's properties by name (case-insensitive), a dictionary's or list's items under any key, a scalar's
/// type for its value.
/// </summary>
internal sealed class ConfigurationSchema
{
    private const int MaxDepth = 16;
    private readonly Node _root = new();

    public ConfigurationSchema(IEnumerable<BoundSection> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        foreach (var section in sections)
        {
            var node = _root;
            foreach (var segment in section.Path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                node = node.Child(segment);
            }

            node.Merge(Describe(section.OptionsType, 0));
        }
    }

    /// <summary>What the schema says about <paramref name="key"/> (a configuration path).</summary>
    public SchemaMatch Find(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var segments = key.Split(':');
        var node = _root;
        for (var i = 0; i < segments.Length; i++)
        {
            if (node.Properties.TryGetValue(segments[i], out var property))
            {
                node = property;
            }
            else if (node.Items is not null)
            {
                node = node.Items;
            }
            else
            {
                return new SchemaMatch(false, null, i, Suggest(segments[i], node));
            }
        }

        return new SchemaMatch(true, node.Scalar, segments.Length, null) { DefaultValue = node.Default };
    }

    // The closest known name at that level, when close enough to be a typo ("stratgy" → "strategy").
    private static string? Suggest(string name, Node node) =>
        Domain.Suggestions.Closest(name, node.Properties.Keys) is { } best ? char.ToLowerInvariant(best[0]) + best[1..] : null;

    private static Node Describe(Type type, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(underlying))
        {
            return new Node { Scalar = type };
        }

        if (depth > MaxDepth || underlying == typeof(object))
        {
            return new Node { Items = new Node() };
        }

        if (ItemType(underlying) is { } item)
        {
            return new Node { Items = Describe(item, depth + 1) };
        }

        var node = new Node();
        var defaults = underlying.IsAbstract || underlying.GetConstructor(Type.EmptyTypes) is null ? null : Activator.CreateInstance(underlying);
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true })
            {
                continue;
            }

            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            var child = Describe(property.PropertyType, depth + 1);
            if (child.Scalar is not null && defaults is not null)
            {
                child.Default = Convert.ToString(property.GetValue(defaults), CultureInfo.InvariantCulture);
            }

            node.Properties.TryAdd(name, child);
        }

        return node;
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    // A dictionary's value type, or a list's or array's item type; null for anything else.
    private static Type? ItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        var generic = interfaces.Where(i => i.IsGenericType).ToList();
        var dictionary = generic.FirstOrDefault(i => i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));
        if (dictionary is not null)
        {
            return dictionary.GetGenericArguments()[1];
        }

        return generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Properties { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>A dictionary's values or a list's items: any key.</summary>
        public Node? Items { get; set; }

        /// <summary>The value's type, for a scalar setting.</summary>
        public Type? Scalar { get; set; }

        /// <summary>A scalar setting's default (its options class's initial value), written as configuration would.</summary>
        public string? Default { get; set; }

        public Node Child(string name)
        {
            if (!Properties.TryGetValue(name, out var child))
            {
                child = new Node();
                Properties.Add(name, child);
            }

            return child;
        }

        public void Merge(Node other)
        {
            foreach (var (name, property) in other.Properties)
            {
                Properties.TryAdd(name, property);
            }

            Items ??= other.Items;
            Scalar ??= other.Scalar;
            Default ??= other.Default;
        }
    }
}
