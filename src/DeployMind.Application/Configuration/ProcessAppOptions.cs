using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Configuration;

/// <summary>
/// The app settings of the process's own configuration (a server started with <c>serve --config deploymind.yml</c>), for
/// singletons that read them outside any job's scope. <c>IOptions&lt;AppOptions&gt;</c> is scoped (each job binds its
/// app's settings) and binding the whole configuration again for every webhook cost more than the rest of the delivery;
/// this binds it once, exactly as a scope of the process would, and again after the configuration reloads.
/// </summary>
public sealed class ProcessAppOptions
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IConfiguration _configuration;
    private readonly Lock _gate = new();
    private (AppOptions Value, Microsoft.Extensions.Primitives.IChangeToken Reload)? _current;

    public ProcessAppOptions(IServiceScopeFactory scopes, IConfiguration configuration)
    {
        _scopes = scopes;
        _configuration = configuration;
    }

    /// <summary>The settings as the process's configuration says now.</summary>
    public AppOptions Value
    {
        get
        {
            lock (_gate)
            {
                if (_current is { } current && !current.Reload.HasChanged)
                {
                    return current.Value;
                }

                // The token first: a reload while binding makes the next read bind again.
                var reload = _configuration.GetReloadToken();
                using var scope = _scopes.CreateScope();
                var value = scope.ServiceProvider.GetRequiredService<IOptions<AppOptions>>().Value;
                _current = (value, reload);
                return value;
            }
        }
    }
}
