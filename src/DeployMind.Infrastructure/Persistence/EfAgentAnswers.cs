using DeployMind.Application.Agents;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Infrastructure.Persistence;

/// <summary><see cref="IAgentAnswerStore"/> in the deployment database (table <c>agent_answers</c>).</summary>
internal sealed class EfAgentAnswers : IAgentAnswerStore
{
    private readonly DeployMindDatabase _database;
    private readonly TimeProvider _time;

    /// <param name="database">The process's database (shared, not disposed with this).</param>
    /// <param name="time">The clock.</param>
    public EfAgentAnswers(DeployMindDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time;
    }

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var since = (_time.GetUtcNow() - IAgentAnswerStore.KeptFor).ToUnixTimeMilliseconds();
        return await db.AgentAnswers.AsNoTracking().Where(a => a.Key == key && a.CreatedAtMs >= since).Select(a => a.Answer).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task SaveAsync(string key, string answer, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(answer);
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var now = _time.GetUtcNow();
        var before = (now - IAgentAnswerStore.KeptFor).ToUnixTimeMilliseconds();
        await db.AgentAnswers.Where(a => a.Key == key || a.CreatedAtMs < before).ExecuteDeleteAsync(cancellationToken);
        db.AgentAnswers.Add(new AgentAnswerRow { Key = key, Answer = answer, CreatedAtMs = now.ToUnixTimeMilliseconds() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another process stored the same question's answer meanwhile: theirs is as good.
        }
    }
}
