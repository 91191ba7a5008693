using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Notifications;

/// <summary>Checks <c>notifications:</c> at start (and for each app's deploymind.yml before it deploys): every problem, each naming its key.</summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    /// <summary>The channel types there are adapters for.</summary>
    public static IReadOnlyList<string> Types { get; } = ["slack", "discord", "teams", "email", "webhook"];

    /// <summary>The longest <c>notifications.timeout</c>: a slow channel must never hold a deployment's reports for long.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Every problem with <paramref name="options"/>, each naming its key.</summary>
    public static IReadOnlyList<string> Problems(NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.PublicUrl)
            && (!Uri.TryCreate(options.PublicUrl.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            problems.Add($"notifications.publicUrl: '{options.PublicUrl}' is not an http(s) URL, e.g. https://deploy.example.com.");
        }

        if (!Duration.TryParse(options.Timeout, out var timeout) || timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            problems.Add($"notifications.timeout: '{options.Timeout}' is not a duration from 1ms to {Duration.Format(MaxTimeout)}, e.g. 10s.");
        }

        if (!Duration.TryParse(options.LockWait, out var lockWait) || lockWait <= TimeSpan.Zero)
        {
            problems.Add($"notifications.lockWait: '{options.LockWait}' is not a positive duration, e.g. 5m.");
        }

        foreach (var (name, channel) in options.Channels)
        {
            problems.AddRange(ChannelProblems($"notifications.channels.{name}", name, channel));
        }

        return problems;
    }

    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> ChannelProblems(string key, string name, NotificationChannelOptions? channel)
    {
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            yield return $"{key}: '{name}' is not a channel name; use letters, digits, '-', '_' or '.'.";
        }

        if (channel is null || !channel.Enabled)
        {
            yield break;
        }

        var type = channel.Type?.Trim().ToLowerInvariant();
        if (type is null || !Types.Contains(type))
        {
            yield return $"{key}.type: '{channel.Type}' is not a channel type; use one of: {string.Join(", ", Types)}.";
            yield break;
        }

        foreach (var wanted in channel.Events.Where(e => NotificationEvents.Parse(e) is null))
        {
            yield return $"{key}.events: '{wanted}' is not an event; use any of: {string.Join(", ", NotificationEvents.All.Select(e => e.Name()))}.";
        }

        if (type == "email")
        {
            foreach (var problem in EmailProblems(key, channel))
            {
                yield return problem;
            }

            yield break;
        }

        if (One(channel.UrlVariable, channel.UrlFile) is { } urlProblem)
        {
            yield return $"{key}: {urlProblem} urlVariable (an environment variable) or urlFile holding the {type} webhook URL; the URL is a secret and never written in the YAML.";
        }

        if (type == "webhook" && One(channel.SecretVariable, channel.SecretFile) is { } secretProblem)
        {
            yield return $"{key}: {secretProblem} secretVariable or secretFile holding the signing secret (HMAC-SHA256, X-DeployMind-Signature).";
        }
    }

    private static IEnumerable<string> EmailProblems(string key, NotificationChannelOptions channel)
    {
        if (string.IsNullOrWhiteSpace(channel.From) || !channel.From.Contains('@', StringComparison.Ordinal))
        {
            yield return $"{key}.from: give the sender's address, e.g. deploymind@example.com.";
        }

        if (channel.To.Count == 0)
        {
            yield return $"{key}.to: give at least one recipient.";
        }

        foreach (var to in channel.To.Where(t => string.IsNullOrWhiteSpace(t) || !t.Contains('@', StringComparison.Ordinal)))
        {
            yield return $"{key}.to: '{to}' is not an email address.";
        }

        var smtp = channel.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            yield return $"{key}.smtp.host: give the SMTP server's host name.";
        }

        if (smtp.Port is < 1 or > 65535)
        {
            yield return $"{key}.smtp.port: {smtp.Port} is not a port (1 to 65535).";
        }

        if (smtp.Security?.Trim().ToLowerInvariant() is not ("auto" or "starttls" or "tls" or "none"))
        {
            yield return $"{key}.smtp.security: '{smtp.Security}' is not one of auto, starttls, tls, none.";
        }

        if (!string.IsNullOrWhiteSpace(smtp.User) && One(smtp.PasswordVariable, smtp.PasswordFile) is { } passwordProblem)
        {
            yield return $"{key}.smtp: {passwordProblem} passwordVariable or passwordFile for the user {smtp.User}; a password is never written in the YAML.";
        }
    }

    /// <summary>Null when exactly one of the two is set, else what is wrong ("give" or "give only one of").</summary>
    private static string? One(string? variable, string? file) =>
        (string.IsNullOrWhiteSpace(variable), string.IsNullOrWhiteSpace(file)) switch
        {
            (true, true) => "give",
            (false, false) => "give only one of",
            _ => null,
        };
}
