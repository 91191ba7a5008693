using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DeployMind.Infrastructure.Persistence;

// Used only by `dotnet ef migrations add` (see docs/operations.md, "Changing the schema"): the providers need a
// connection string to build the model, not a database.

/// <summary>Design-time SQLite context for <c>dotnet ef</c>.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDeployMindDbContext>
{
    public SqliteDeployMindDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDeployMindDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Design-time PostgreSQL context for <c>dotnet ef</c>.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDeployMindDbContext>
{
    public PostgresDeployMindDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDeployMindDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
