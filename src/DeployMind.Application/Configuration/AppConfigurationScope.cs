using Microsoft.Extensions.Configuration;

namespace DeployMind.Application.Configuration;

/// <summary>
/// Which configuration the app settings of one DI scope are bound from: the app's own (set by the job runner when it opens
/// a job's scope, before anything else is resolved in it), else the process's. Settings registered with
/// <see cref="ConfigurationSectionExtensions.AddAppConfigurationSection{TOptions}"/> read it, so every use case resolved in
/// the scope sees the app's <c>deploymind.yml</c> while the process keeps one container, one database and one queue.
/// </summary>
internal sealed class AppConfigurationScope
{
    private readonly IConfiguration _process;
    private IConfiguration? _app;

    public AppConfigurationScope(IConfiguration process)
    {
        _process = process;
    }

    /// <summary>The configuration in effect in this scope.</summary>
    public IConfiguration Configuration => _app ?? _process;

    /// <summary>True once <see cref="Use"/> gave this scope an app's configuration.</summary>
    public bool IsApp => _app is not null;

    /// <summary>Binds this scope's app settings to <paramref name="app"/>; only before any of them was read.</summary>
    /// <exception cref="InvalidOperationException">The scope has an app's configuration already.</exception>
    public void Use(IConfiguration app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (Interlocked.CompareExchange(ref _app, app, null) is not null)
        {
            throw new InvalidOperationException("This scope already deploys with an app's configuration; open a new scope for another app.");
        }
    }
}
