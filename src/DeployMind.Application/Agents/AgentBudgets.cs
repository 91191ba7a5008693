using System.Collections.Concurrent;

namespace DeployMind.Application.Agents;

/// <summary>The tokens the agents spent per deployment (process-wide: a retried job continues its deployment's count).</summary>
internal sealed class AgentBudgets
{
    private readonly ConcurrentDictionary<Guid, int> _spent = new();

    public int Spent(Guid deployment) => _spent.GetValueOrDefault(deployment);

    public void Spend(Guid deployment, int tokens)
    {
        if (_spent.Count > 10_000)
        {
            _spent.Clear();
        }

        _spent.AddOrUpdate(deployment, Math.Max(0, tokens), (_, spent) => spent + Math.Max(0, tokens));
    }
}
