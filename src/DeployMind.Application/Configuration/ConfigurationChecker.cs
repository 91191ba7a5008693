using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace DeployMind.Application.Configuration;

/// <summary>
/// Checks the configuration against the bound options classes before anything binds it: values the binder could not
/// convert (errors, each with where it was written) and keys in the files no options class has (warnings, with the closest
/// known key).
/// </summary>
public sealed class ConfigurationChecker
{
    private const string Ignored = ", so it is ignored";

    private readonly IConfiguration _configuration;
    private readonly IConfigurationLocator _locator;
    private readonly ConfigurationSchema _schema;

    public ConfigurationChecker(IConfiguration configuration, IConfigurationLocator locator, IEnumerable<BoundSection> sections)
    {
        _configuration = configuration;
        _locator = locator;
        _schema = new ConfigurationSchema(sections);
    }

    /// <summary>Settings whose value is not of the setting's type (a word for a port, an unknown enum name), in the order of the files.</summary>
    public IReadOnlyList<ConfigurationProblem> InvalidValues()
    {
        var problems = new List<ConfigurationProblem>();
        foreach (var (key, value) in _configuration.AsEnumerable())
        {
            if (value is null || _schema.Find(key) is not { Known: true, ScalarType: { } type } || type == typeof(string) || Converts(type, value))
            {
                continue;
            }

            problems.Add(new ConfigurationProblem(key, $"{ConfigurationKey.Display(key)}: '{value}' {Expected(type)}", _locator.Locate(key), IsWarning: false));
        }

        return [.. problems.OrderBy(p => p.Location?.File is null).ThenBy(p => p.Location?.File, StringComparer.Ordinal)
            .ThenBy(p => p.Location?.Line).ThenBy(p => p.Location?.Column).ThenBy(p => p.Key, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Keys written in the configuration files that no setting has (a typo, a setting of another version); they are ignored.</summary>
    public IReadOnlyList<ConfigurationProblem> UnknownKeys()
    {
        var problems = new List<ConfigurationProblem>();
        foreach (var written in _locator.WrittenKeys())
        {
            var match = _schema.Find(written.Key);
            var segments = written.Key.Split(':').Length;

            // Only the outermost unknown key: what is written under it is unknown too, and says nothing new.
            if (match.Known || match.KnownSegments != segments - 1)
            {
                continue;
            }

            var display = ConfigurationKey.Display(written.Key);
            var hint = match.Suggestion is null ? "check the spelling in docs/configuration.md" : $"did you mean {match.Suggestion}?";
            problems.Add(new ConfigurationProblem(written.Key, $"{display}: not a known setting{Ignored}; {hint}", written.Location, IsWarning: true));
        }

        return problems;
    }

    /// <summary>
    /// An unknown key (a warning of <see cref="UnknownKeys"/>) as a deploy refuses it: an error that says how to go on anyway.
    /// </summary>
    public static ConfigurationProblem Refused(ConfigurationProblem unknown)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        return unknown with
        {
            IsWarning = false,
            Message = unknown.Message.Replace(Ignored, string.Empty, StringComparison.Ordinal)
                + " Fix the key, or deploy with --allow-unknown-keys (the API's allowUnknownKeys) to ignore it.",
        };
    }

    /// <summary>
    /// What to set <paramref name="key"/> to so that binding leaves the setting as if it were not written: its default,
    /// written as configuration would (null when it has none, which binds as the type's default).
    /// </summary>
    public string? DefaultOf(string key) => _schema.Find(key).DefaultValue;

    private static bool Converts(Type type, string value)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && value.Length == 0)
        {
            return true;
        }

        try
        {
            // The binder's own conversion: the same type converter, invariant culture.
            _ = TypeDescriptor.GetConverter(underlying ?? type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Expected(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return Type.GetTypeCode(underlying) switch
        {
            _ when underlying.IsEnum => $"is not one of {string.Join(", ", Enum.GetNames(underlying))}.",
            TypeCode.Boolean => "must be true or false.",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64
                => "is not a whole number.",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "is not a number.",
            _ => $"is not a valid {underlying.Name}.",
        };
    }
}
