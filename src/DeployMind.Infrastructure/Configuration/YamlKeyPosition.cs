namespace DeployMind.Infrastructure.Configuration;

/// <summary>Where a key of a YAML file is written (1-based lines and columns).</summary>
/// <param name="KeyLine">The key's line (a list item's: the item's).</param>
/// <param name="KeyColumn">The key's column.</param>
/// <param name="ValueLine">The value's line.</param>
/// <param name="ValueColumn">The value's column.</param>
/// <param name="IsScalar">The value is a scalar (not a mapping or a list).</param>
internal readonly record struct YamlKeyPosition(int KeyLine, int KeyColumn, int ValueLine, int ValueColumn, bool IsScalar)
{
    /// <summary>Where an error about the setting points: a scalar's value (what is wrong), else the key.</summary>
    public (int Line, int Column) Setting => IsScalar ? (ValueLine, ValueColumn) : (KeyLine, KeyColumn);
}
