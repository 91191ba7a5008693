using System.Collections.Concurrent;
using DeployMind.Application.Deploy.Delivery;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Infrastructure.Registry;

/// <summary>
/// Registry logins: the password from the configured variable (of DeployMind's own environment) or file, or for Amazon ECR a
/// token from its API, kept until 15 minutes before it expires. Nothing here is logged.
/// </summary>
internal sealed class RegistryLogins : IRegistryLogins
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(15);

    private readonly EcrAuthorization _ecr;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (RegistryLogin Login, DateTimeOffset ExpiresAt)> _tokens = new(StringComparer.Ordinal);

    public RegistryLogins(EcrAuthorization ecr, TimeProvider time)
    {
        _ecr = ecr;
        _time = time;
    }

    public async Task<RegistryLogin?> LoginAsync(RegistrySettings registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (registry.Ecr)
        {
            var key = registry.Server + "|" + registry.Region;
            if (_tokens.TryGetValue(key, out var cached) && cached.ExpiresAt - RenewBefore > _time.GetUtcNow())
            {
                return cached.Login;
            }

            var (user, password, expires) = await _ecr.GetAsync(registry.Region, cancellationToken);
            var login = new RegistryLogin(registry.Server, user, password);
            _tokens[key] = (login, expires);
            return login;
        }

        if (registry.Username is not { } username)
        {
            return null;
        }

        return new RegistryLogin(registry.Server, username, Password(registry));
    }

    private static string Password(RegistrySettings registry)
    {
        if (registry.PasswordVariable is { } variable)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            return string.IsNullOrEmpty(value)
                ? throw new DeployMindException($"{registry.Key}.passwordVariable: {variable} is not set in DeployMind's environment; set it to the password of {registry.Username} on {registry.Server}.")
                : value;
        }

        var file = registry.PasswordFile!;
        var path = file.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), file[2..])
            : file;
        try
        {
            var line = File.ReadLines(path).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(line)
                ? throw new DeployMindException($"{registry.Key}.passwordFile: {path} is empty; put the password of {registry.Username} on its first line.")
                : line;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DeployMindException($"{registry.Key}.passwordFile: cannot read {path} ({ex.Message}).", ex);
        }
    }
}
