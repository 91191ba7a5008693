using System.Globalization;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>Finds a deployment by what users type: its full id or its first characters (as <c>list</c> shows them).</summary>
public static class DeploymentLookup
{
    /// <summary>Characters of the id that <c>list</c> shows and that are enough to name a deployment.</summary>
    public const int ShortLength = 8;

    /// <summary>The first <see cref="ShortLength"/> characters of the id.</summary>
    public static string ShortId(this Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.Id.ToString("D", CultureInfo.InvariantCulture)[..ShortLength];
    }

    /// <summary>The deployment <paramref name="idOrPrefix"/> names.</summary>
    /// <exception cref="DeploymentNotFoundException">None, or more than one, matches.</exception>
    public static async Task<Deployment> FindAsync(this IDeploymentStore store, string idOrPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var text = idOrPrefix?.Trim() ?? string.Empty;
        if (Guid.TryParse(text, out var id))
        {
            return await store.GetAsync(id, cancellationToken)
                ?? throw new DeploymentNotFoundException($"There is no deployment {id} in {store.Description}. `deploymind list` shows the recent ones.");
        }

        if (!LooksLikePrefix(text))
        {
            throw new DeploymentNotFoundException($"'{text}' is not a deployment id: give the id `deploymind list` shows (at least 4 of its first characters, 0-9 a-f).");
        }

        var matches = await store.FindByPrefixAsync(text, 3, cancellationToken);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new DeploymentNotFoundException($"No deployment id starts with '{text}' in {store.Description}. `deploymind list` shows the recent ones."),
            _ => throw new DeploymentNotFoundException(
                $"'{text}' names more than one deployment ({string.Join(", ", matches.Select(m => m.ShortId()))}); type more of its id."),
        };
    }

    /// <summary>Whether <paramref name="text"/> could be the start of an id (4+ hex digits and dashes).</summary>
    public static bool LooksLikePrefix(string text) =>
        text is { Length: >= 4 and <= 36 } && text.All(c => char.IsAsciiHexDigit(c) || c == '-');
}

/// <summary>The deployment asked for is not recorded (or the id is ambiguous).</summary>
internal sealed class DeploymentNotFoundException : InvalidInputException
{
    public DeploymentNotFoundException(string message)
        : base(message)
    {
    }

    public DeploymentNotFoundException()
        : base("There is no such deployment.")
    {
    }

    public DeploymentNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
