using System.Globalization;
using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Webhooks;

/// <summary>Checks <c>server:</c> when the server starts (and in <c>deploymind validate</c>): every problem, each naming its key.</summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    /// <summary>Every problem with <paramref name="options"/>, each naming its key.</summary>
    public static IReadOnlyList<string> Problems(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"server.urls: '{url}' is not an http(s) URL to listen on, e.g. http://127.0.0.1:8090.");
            }
        }

        if (options.MaxWebhookBytes is < 1024 or > 100 * 1024 * 1024)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"server.maxWebhookBytes: {options.MaxWebhookBytes} is out of range; give 1024 to 104857600 (GitHub's payloads are at most 25 MB)."));
        }

        Check(problems, () => options.DeliveryRetentionValue, "server.deliveryRetention", positive: true);
        Check(problems, () => options.Previews.TtlValue, "server.previews.ttl", positive: true);
        Check(problems, () => options.Previews.SweepIntervalValue, "server.previews.sweepInterval", positive: true);
        if (!IsName(options.Previews.Environment))
        {
            problems.Add($"server.previews.environment: '{options.Previews.Environment}' is not an environment name (letters, digits, '-', '_').");
        }

        foreach (var environment in options.Workers.Environments ?? [])
        {
            if (!IsName(environment))
            {
                problems.Add($"server.workers.environments: '{environment}' is not an environment name (letters, digits, '-', '_').");
            }
        }

        if (options.Workers.Concurrency is < 1 or > 64)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"server.workers.concurrency: {options.Workers.Concurrency} is out of range; give 1 to 64."));
        }

        foreach (var (name, repository) in options.Repositories)
        {
            var key = $"server.repositories.\"{name}\"";
            if (name.Count(c => c == '/') != 1 || name.StartsWith('/') || name.EndsWith('/'))
            {
                problems.Add($"{key}: repositories are named owner/name, as on GitHub.");
            }

            foreach (var (branch, environment) in repository.Branches ?? [])
            {
                if (!IsName(environment))
                {
                    problems.Add($"{key}.branches.{branch}: '{environment}' is not an environment name (letters, digits, '-', '_').");
                }
            }
        }

        return problems;
    }

    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsName(string? text) =>
        text is { Length: > 0 and <= 64 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static void Check(List<string> problems, Func<TimeSpan> parse, string key, bool positive)
    {
        try
        {
            if (positive && parse() <= TimeSpan.Zero)
            {
                problems.Add($"{key}: must be longer than zero.");
            }
        }
        catch (InvalidInputException ex)
        {
            problems.Add(ex.Message.StartsWith(key, StringComparison.Ordinal) ? ex.Message : $"{key}: {ex.Message}");
        }
    }
}
