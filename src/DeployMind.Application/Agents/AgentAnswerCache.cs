using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Application.Agents;

/// <summary>
/// The model's readable answers by the SHA-256 of what was sent (model, instructions and the redacted report): a retried
/// job whose stage report is the same is answered from here and spends no tokens. Process-wide, bounded; only readable
/// answers are kept (a timeout or garbage is asked again).
/// </summary>
internal sealed class AgentAnswerCache
{
    /// <summary>The most answers kept; beyond it the cache starts over.</summary>
    public const int Capacity = 512;

    private readonly ConcurrentDictionary<string, ParsedAnswer> _answers = new(StringComparer.Ordinal);

    /// <summary>The key of a request: the hash of the model, the instructions and the (redacted) report.</summary>
    public static string KeyOf(string model, AgentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{model}\n{request.Instructions}\n{request.Report}"));
        return Convert.ToHexString(bytes);
    }

    public bool TryGet(string key, out ParsedAnswer answer) => _answers.TryGetValue(key, out answer!);

    public void Add(string key, ParsedAnswer answer)
    {
        if (_answers.Count >= Capacity)
        {
            _answers.Clear();
        }

        _answers[key] = answer;
    }
}
