using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>previews:</c> how an open pull request's own instance of the app is served. It deploys with the settings of the
/// environment the server queues previews to (<c>environments.preview</c>, else the defaults: this machine), as app
/// <c>&lt;app&gt;-pr-&lt;n&gt;</c>, on the same nginx port as the others, told apart by its server name.
/// </summary>
public sealed class PreviewOptions
{
    /// <summary>false: pull requests of this app get no preview (the server's jobs for them end cancelled, saying so).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Previews answer at <c>pr-&lt;n&gt;.&lt;domain&gt;</c>. The default, localhost, resolves to this machine everywhere.</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>The nginx port previews are served on (default: the environment's <c>target.docker.port</c>).</summary>
    public int? Port { get; set; }

    /// <summary>The server name of pull request <paramref name="number"/>'s preview.</summary>
    /// <exception cref="InvalidInputException"><see cref="Domain"/> is not a host name.</exception>
    public string ServerName(int number)
    {
        var domain = Domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain.Length is 0 or > 200 || !domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') || domain.StartsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidInputException($"previews.domain: '{Domain}' is not a domain name (letters, digits, '-' and dots), e.g. preview.example.com.");
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pr-{number}.{domain}");
    }

    /// <summary>The app name of pull request <paramref name="number"/>'s preview of <paramref name="app"/>.</summary>
    public static string AppName(string app, int number) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{app}-pr-{number}");
}
