using DeployMind.Domain;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// <c>database:</c> where deployments are recorded. The default is a SQLite file in the user's DeployMind folder;
/// PostgreSQL takes a connection string (keep its password in <c>DEPLOYMIND__DATABASE__CONNECTIONSTRING</c> or a file,
/// not in deploymind.yml).
/// </summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "database";

    /// <summary>sqlite (default) or postgres.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite: the database file (default <c>~/.deploymind/deploymind.db</c>, or under <c>$DEPLOYMIND_HOME</c>).</summary>
    public string? Path { get; set; }

    /// <summary>PostgreSQL: the Npgsql connection string (Host=…;Port=…;Username=…;Password=…;Database=…).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL: a file holding the connection string (for secrets mounted as files).</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>How long a write waits for another process's write to finish before failing (SQLite).</summary>
    public string BusyTimeout { get; set; } = "30s";

    /// <summary>The DeployMind folder of this user: <c>$DEPLOYMIND_HOME</c>, else <c>~/.deploymind</c>.</summary>
    public static string HomeFolder =>
        System.Environment.GetEnvironmentVariable("DEPLOYMIND_HOME")
        ?? System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".deploymind");

    /// <summary>Which provider, checked.</summary>
    /// <exception cref="InvalidInputException">Not sqlite or postgres, or postgres without a connection string.</exception>
    public DatabaseProvider Resolve()
    {
        var provider = Provider.Trim().ToLowerInvariant() switch
        {
            "sqlite" or "" => DatabaseProvider.Sqlite,
            "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
            _ => throw new InvalidInputException($"database.provider: '{Provider}' is not a provider; use sqlite (the default, a local file) or postgres."),
        };
        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString) && string.IsNullOrWhiteSpace(ConnectionStringFile))
        {
            throw new InvalidInputException(
                "database.connectionString: PostgreSQL needs a connection string; set DEPLOYMIND__DATABASE__CONNECTIONSTRING=\"Host=…;Username=…;Password=…;Database=…\" or database.connectionStringFile.");
        }

        return provider;
    }

    /// <summary>The SQLite file to use.</summary>
    public string SqlitePath => System.IO.Path.GetFullPath(ExpandHome(Path) ?? System.IO.Path.Combine(HomeFolder, "deploymind.db"));

    /// <summary>The PostgreSQL connection string (from the file when one is named).</summary>
    /// <exception cref="InvalidInputException">The file cannot be read.</exception>
    public string PostgresConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        var file = ExpandHome(ConnectionStringFile)!;
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"database.connectionStringFile: cannot read '{file}': {ex.Message}", ex);
        }
    }

    private static string? ExpandHome(string? path) =>
        path is not null && (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            ? System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;
}

/// <summary>The database engines DeployMind records to.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
