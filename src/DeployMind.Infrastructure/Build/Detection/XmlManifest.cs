using System.Xml;
using System.Xml.Linq;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Safe, namespace-agnostic XDocument helpers for pom.xml and .csproj files.</summary>
internal static class XmlManifest
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
    };

    /// <summary>The document, or null when <paramref name="text"/> is missing or not well-formed XML.</summary>
    public static XDocument? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var reader = XmlReader.Create(new StringReader(text), Settings);
            return XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>The first child element with the local name <paramref name="name"/>, whatever its namespace.</summary>
    public static XElement? Child(XElement? element, string name) =>
        element?.Elements().FirstOrDefault(child => child.Name.LocalName == name);

    /// <summary>The trimmed text of the child <paramref name="name"/>, or null when missing or empty.</summary>
    public static string? ChildValue(XElement? element, string name)
    {
        var value = Child(element, name)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>All descendants with the local name <paramref name="name"/>, whatever their namespace.</summary>
    public static IEnumerable<XElement> Descendants(XElement? element, string name) =>
        element?.Descendants().Where(descendant => descendant.Name.LocalName == name) ?? [];
}
