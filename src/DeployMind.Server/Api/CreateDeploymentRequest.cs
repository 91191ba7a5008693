using System.Text.RegularExpressions;
using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Domain;
using DeployMind.Domain.Hosts;

namespace DeployMind.Server.Api;

/// <summary>
/// The body of <c>POST /api/deployments</c>: what <c>deploymind deploy --repo ... --queue</c> takes. Only
/// <see cref="Repository"/> is required; the app's name, targets and strategy come from its deploymind.yml, read by the worker.
/// </summary>
internal sealed partial record CreateDeploymentRequest
{
    public const string DefaultRef = "main";
    public const string DefaultEnvironment = "production";

    /// <summary>owner/name (through git.baseUrl), a git URL, or an absolute path to a repository on the worker's machine.</summary>
    public string? Repository { get; init; }

    /// <summary>The branch, tag or commit to deploy (default main).</summary>
    public string? Ref { get; init; }

    /// <summary>The app's folder inside the repository (default: server.repositories' path, else ".").</summary>
    public string? Path { get; init; }

    /// <summary>The environment (and queue), a name of a-z, 0-9, '-' and '_' (default production).</summary>
    public string? Environment { get; init; }

    /// <summary>rolling, canary or blue-green, instead of the environment's.</summary>
    public string? Strategy { get; init; }

    /// <summary>local or ssh://user@host:port, instead of the environment's hosts.</summary>
    public string? Host { get; init; }

    /// <summary>The port nginx serves the app on.</summary>
    public int? Port { get; init; }

    /// <summary>The image tag to build.</summary>
    public string? Tag { get; init; }

    /// <summary>Build without the layer cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Deploy despite blocking security findings (recorded with the deployment).</summary>
    public bool AllowFindings { get; init; }

    /// <summary>Deploy although the app's deploymind.yml has keys no setting has (otherwise the deployment fails naming them).</summary>
    public bool AllowUnknownKeys { get; init; }

    /// <summary>Move the app to <see cref="Port"/> or <see cref="Host"/> although another port or host serves it (otherwise refused).</summary>
    public bool Relocate { get; init; }

    /// <summary>The ref, default applied.</summary>
    public string RefOrDefault => string.IsNullOrWhiteSpace(Ref) ? DefaultRef : Ref.Trim();

    /// <summary>The environment, default applied.</summary>
    public string EnvironmentOrDefault => string.IsNullOrWhiteSpace(Environment) ? DefaultEnvironment : Environment.Trim();

    /// <summary>What is wrong, by field (camelCase, as in the body); empty when the request is valid.</summary>
    public IReadOnlyDictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [message];

        if (RepositoryProblem(Repository) is { } repository)
        {
            Add("repository", repository);
        }

        if (Ref is not null && RefProblem(Ref) is { } reference)
        {
            Add("ref", reference);
        }

        if (Path is not null && PathProblem(Path) is { } path)
        {
            Add("path", path);
        }

        if (Environment is not null && !EnvironmentName().IsMatch(Environment))
        {
            Add("environment", $"'{Clip(Environment)}' is not an environment name: use 1 to 63 of a-z, 0-9, '-' and '_', starting with a letter or digit (e.g. production).");
        }

        if (Strategy is not null)
        {
            try
            {
                EnvironmentOptions.ParseStrategy(Strategy, "strategy");
            }
            catch (InvalidInputException)
            {
                Add("strategy", $"'{Clip(Strategy)}' is not a strategy: use rolling, canary or blue-green.");
            }
        }

        if (Host is not null)
        {
            // One parser for host addresses (Domain.Hosts.HostAddress); SSM instances parse but are not a deploy target yet.
            if (!HostAddress.TryParse(Host, out var address, out var hostError))
            {
                Add("host", $"'{Clip(Host)}' is not a host: use local or ssh://user@host:port ({hostError.TrimEnd('.')}).");
            }
            else if (address is not (HostAddress.LocalHost or HostAddress.Ssh))
            {
                Add("host", $"'{Clip(Host)}' is an {address.Kind} host, which cannot be deployed to yet: use local or ssh://user@host:port.");
            }
        }

        if (Port is < 1 or > 65535)
        {
            Add("port", $"{Port} is not a port: use 1 to 65535.");
        }

        if (Tag is not null)
        {
            try
            {
                ImageNames.Validate(Tag);
            }
            catch (InvalidInputException ex)
            {
                Add("tag", ex.Message);
            }
        }

        return errors;
    }

    /// <summary>Why <paramref name="key"/> cannot be an <c>Idempotency-Key</c>, or null.</summary>
    public static string? IdempotencyKeyProblem(string key) =>
        key.Length is 0 or > 200 || key.Any(c => c is < '!' or > '~')
            ? "The Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID is a good key)."
            : null;

    /// <summary>The app's provisional name, until the worker reads deploymind.yml: the repository's last segment.</summary>
    public static string AppNameOf(string repository) => Application.Jobs.DeploymentRequest.ProvisionalAppName(repository);

    private static string? RepositoryProblem(string? repository)
    {
        const string Expected = "give owner/name, a git URL (https://, ssh://, git@host:path) or an absolute path to a repository on the worker's machine";
        if (string.IsNullOrWhiteSpace(repository))
        {
            return $"The repository is required: {Expected}.";
        }

        var text = repository.Trim();
        if (text.Length > 1000 || text.Any(char.IsControl) || HasParentSegment(text))
        {
            return $"The repository is too long, has control characters or a '..' segment: {Expected}.";
        }

        if (OwnerName().IsMatch(text) || ScpLike().IsMatch(text) || text.StartsWith('/'))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" or "ssh" or "git" or "file" && !text.Any(char.IsWhiteSpace)
            ? null
            : $"'{Clip(text)}' is not a repository: {Expected}.";
    }

    private static string? RefProblem(string reference)
    {
        var text = reference.Trim();
        return GitRef().IsMatch(text) && !text.Contains("..", StringComparison.Ordinal) && !text.Contains("//", StringComparison.Ordinal) && !text.EndsWith('/') && !text.EndsWith(".lock", StringComparison.Ordinal)
            ? null
            : $"'{Clip(text)}' is not a git ref: give a branch, tag or commit (letters, digits, '.', '_', '-', '/'), e.g. main or v1.4.2.";
    }

    private static string? PathProblem(string path)
    {
        var text = path.Trim();
        return text.Length is 0 or > 500 || text.Any(char.IsControl) || text.StartsWith('/') || text.StartsWith('-') || text.Contains('\\', StringComparison.Ordinal) || HasParentSegment(text)
            ? $"'{Clip(text)}' is not a folder inside the repository: give a relative path without '..' (e.g. services/api), or leave it out for the root."
            : null;
    }

    private static bool HasParentSegment(string path) => path.Split('/').Any(segment => segment == "..");

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*$")]
    private static partial Regex OwnerName();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+:[^\s:][^\s]*$")]
    private static partial Regex ScpLike();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$")]
    private static partial Regex GitRef();
}
