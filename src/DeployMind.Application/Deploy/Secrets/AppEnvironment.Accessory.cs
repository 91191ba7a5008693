using DeployMind.Application.Configuration;

namespace DeployMind.Application.Deploy.Secrets;

public sealed partial record AppEnvironment
{
    /// <summary>
    /// The variables of accessory <paramref name="accessory"/> (<c>accessories.&lt;name&gt;.env</c>), its secrets resolved from
    /// the same sources as the app's in <paramref name="environment"/>.
    /// </summary>
    /// <exception cref="Domain.InvalidInputException">A name or source is invalid; the message names its key.</exception>
    public static AppEnvironment OfAccessory(AppOptions app, string environment, string appPath, string accessory)
    {
        ArgumentNullException.ThrowIfNull(app);
        var key = $"accessories.{accessory}.env";
        var options = app.Accessories.TryGetValue(accessory, out var configured) ? configured.Env : null;
        var clear = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in options?.Clear ?? [])
        {
            clear[Name(name, key + ".clear")] = value ?? string.Empty;
        }

        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in options?.Secret ?? [])
        {
            if (clear.ContainsKey(name ?? string.Empty))
            {
                throw new Domain.InvalidInputException($"{key}.secret: {name} is in {key}.clear too; a variable is clear or secret, keep it in one of them.");
            }

            secrets.Add(Name(name, key + ".secret"));
        }

        return new AppEnvironment(clear, [.. secrets], Of(app, environment, appPath).Sources);
    }
}
