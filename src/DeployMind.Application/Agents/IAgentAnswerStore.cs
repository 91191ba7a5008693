namespace DeployMind.Application.Agents;

/// <summary>
/// Where the model's readable answers are kept across processes (the deployment database), by the hash of the question:
/// a job retried by another worker, or after a restart, is answered from here and spends nothing. Opaque text values.
/// </summary>
public interface IAgentAnswerStore
{
    /// <summary>The answer stored under <paramref name="key"/>, or null.</summary>
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="answer"/> under <paramref name="key"/> (replacing one stored before) and forgets answers older than <see cref="KeptFor"/>.</summary>
    Task SaveAsync(string key, string answer, CancellationToken cancellationToken);

    /// <summary>How long an answer is kept.</summary>
    static TimeSpan KeptFor => TimeSpan.FromDays(30);
}
