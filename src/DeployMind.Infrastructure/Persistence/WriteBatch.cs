using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// One transaction of the process's batched writes (<see cref="DeployMindDatabase.WriteBatchedAsync{T}"/>): rows are
/// inserted through statements prepared once per batch and row type, from the EF model itself (its table, columns, type
/// mappings and value converters), so they stay what the migrations made without EF's change tracking, which cost most
/// of a webhook delivery's CPU. Generated keys are left to the database. Not thread-safe: the batch's writes run one
/// after another.
/// </summary>
internal sealed class WriteBatch : IAsyncDisposable
{
    private readonly DeployMindDbContext _db;
    private readonly DbConnection _connection;
    private readonly IDbContextTransaction _transaction;
    private readonly Dictionary<Type, Statement> _inserts = [];
    private readonly Dictionary<Type, Statement> _exists = [];

    private WriteBatch(DeployMindDbContext db, IDbContextTransaction transaction)
    {
        _db = db;
        _connection = db.Database.GetDbConnection();
        _transaction = transaction;
    }

    /// <summary>Opens a batch: a context and its transaction (SQLite: <c>BEGIN IMMEDIATE</c>, the write lock from the start).</summary>
    public static async Task<WriteBatch> BeginAsync(DeployMindDatabase database)
    {
        var db = database.CreateContext();
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            return new WriteBatch(db, transaction);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Inserts <paramref name="row"/> (its generated key, if any, is the database's).</summary>
    public async Task InsertAsync<TRow>(TRow row)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!_inserts.TryGetValue(typeof(TRow), out var insert))
        {
            insert = _inserts[typeof(TRow)] = PrepareInsert(typeof(TRow));
        }

        insert.Bind(row);
        await insert.Command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Whether a row of <typeparamref name="TRow"/> with this primary key (a single-column key) exists.</summary>
    public async Task<bool> ExistsAsync<TRow>(object key)
        where TRow : class
    {
        if (!_exists.TryGetValue(typeof(TRow), out var exists))
        {
            exists = _exists[typeof(TRow)] = PrepareExists(typeof(TRow));
        }

        exists.BindValues([key]);
        return await exists.Command.ExecuteScalarAsync(CancellationToken.None) is not (null or DBNull);
    }

    public Task CommitAsync() => _transaction.CommitAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var statement in _inserts.Values.Concat(_exists.Values))
        {
            await statement.Command.DisposeAsync();
        }

        await _transaction.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Statement PrepareInsert(Type rowType)
    {
        var (entity, table, sql) = Describe(rowType);
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());

        // Every mapped property but a key the database generates (an identity column).
        var columns = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated.HasFlag(ValueGenerated.OnAdd)))
            .Select(p => Column.Of(p, rowType))
            .ToArray();
        var names = string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(store)!)));
        var values = string.Join(", ", columns.Select((_, i) => "@p" + i));
        return Create($"INSERT INTO {table} ({names}) VALUES ({values})", columns);
    }

    private Statement PrepareExists(Type rowType)
    {
        var (entity, table, sql) = Describe(rowType);
        var key = entity.FindPrimaryKey()?.Properties is [var only] ? only
            : throw new InvalidOperationException($"{rowType.Name} has no single-column primary key.");
        var column = sql.DelimitIdentifier(key.GetColumnName(StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()))!);
        return Create($"SELECT 1 FROM {table} WHERE {column} = @p0 LIMIT 1", [Column.Of(key, rowType)]);
    }

    private (IEntityType Entity, string Table, ISqlGenerationHelper Sql) Describe(Type rowType)
    {
        var entity = _db.Model.FindEntityType(rowType) ?? throw new InvalidOperationException($"{rowType.Name} is not mapped.");
        var sql = _db.GetService<ISqlGenerationHelper>();
        return (entity, sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema()), sql);
    }

    private Statement Create(string text, Column[] columns)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction.GetDbTransaction();
        command.CommandText = text;
        for (var i = 0; i < columns.Length; i++)
        {
            command.Parameters.Add(columns[i].Mapping.CreateParameter(command, "@p" + i, null, columns[i].Property.IsNullable));
        }

        return new Statement(command, columns);
    }

    /// <summary>A mapped property: how to read it from a row, and its store type (with its converter, e.g. an enum kept as text).</summary>
    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping, PropertyInfo Info)
    {
        public static Column Of(IProperty property, Type rowType) => new(
            property,
            property.GetRelationalTypeMapping(),
            property.PropertyInfo ?? throw new InvalidOperationException($"{rowType.Name}.{property.Name} is a shadow property; rows written in batches map every column to a property."));

        public object Value(object? clr) =>
            (clr is null ? null : Mapping.Converter is { } converter ? converter.ConvertToProvider(clr) : clr) ?? DBNull.Value;
    }

    private sealed record Statement(DbCommand Command, Column[] Columns)
    {
        public void Bind(object row)
        {
            for (var i = 0; i < Columns.Length; i++)
            {
                Command.Parameters[i].Value = Columns[i].Value(Columns[i].Info.GetValue(row));
            }
        }

        public void BindValues(object?[] values)
        {
            for (var i = 0; i < Columns.Length; i++)
            {
                Command.Parameters[i].Value = Columns[i].Value(values[i]);
            }
        }
    }
}
