using System.Text;
using System.Text.RegularExpressions;
using DeployMind.Application.Source;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Git;

/// <summary>
/// Fetches exactly one commit with git (<c>init</c>, <c>fetch --depth 1 origin REF</c>, <c>checkout FETCH_HEAD</c>)
/// through the command runner. A token for private repositories goes in an <c>http.extraHeader</c> passed through
/// git's environment-variable configuration: never in the URL, and redacted from every log line.
/// </summary>
internal sealed partial class GitSourceProvider : ISourceProvider
{
    private readonly ICommandRunner _runner;
    private readonly GitOptions _options;

    public GitSourceProvider(ICommandRunner runner, IOptions<GitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _options = options.Value;
    }

    public async Task<SourceCheckout> FetchAsync(SourceSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!SafeRef().IsMatch(spec.Ref))
        {
            throw new InvalidInputException($"'{spec.Ref}' is not a branch, tag or commit SHA git accepts (letters, digits, '/', '.', '_', '-').");
        }

        var url = ResolveUrl(spec.Repository, _options.BaseUrl);
        var folder = Directory.CreateTempSubdirectory("deploymind-src-").FullName;
        try
        {
            await GitAsync(folder, null, cancellationToken, "init", "--quiet");
            await GitAsync(folder, null, cancellationToken, "remote", "add", "origin", url);
            var token = Environment.GetEnvironmentVariable(_options.TokenVariable);
            await GitAsync(folder, string.IsNullOrEmpty(token) ? null : token, cancellationToken, "fetch", "--quiet", "--depth", "1", "--no-tags", "origin", spec.Ref);
            await GitAsync(folder, null, cancellationToken, "checkout", "--quiet", "--detach", "FETCH_HEAD");
            var commit = (await GitAsync(folder, null, cancellationToken, "rev-parse", "HEAD")).Trim();
            return new SourceCheckout(folder, commit, spec.Repository, spec.Ref);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>"owner/repo" through the base URL; URLs and existing local paths as they are.</summary>
    internal static string ResolveUrl(string repository, string baseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        if (repository.Contains("://", StringComparison.Ordinal) || repository.StartsWith("git@", StringComparison.Ordinal) || Directory.Exists(repository))
        {
            return repository;
        }

        if (!OwnerRepo().IsMatch(repository))
        {
            throw new InvalidInputException($"'{repository}' is not owner/repo, a git URL or a local repository path.");
        }

        return $"{baseUrl.TrimEnd('/')}/{repository}.git";
    }

    /// <summary>The git command with the token (if any) as an Authorization header in git's environment configuration.</summary>
    internal static CommandSpec Command(string folder, string? token, params string[] args)
    {
        var spec = new CommandSpec("git", ["-C", folder, .. args])
            .WithEnvironment("GIT_TERMINAL_PROMPT", "0");
        if (token is null)
        {
            return spec;
        }

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));
        return spec
            .WithEnvironment("GIT_CONFIG_COUNT", "1")
            .WithEnvironment("GIT_CONFIG_KEY_0", "http.extraHeader")
            .WithEnvironment("GIT_CONFIG_VALUE_0", "Authorization: Basic " + basic)
            .WithSecret(token)
            .WithSecret(basic);
    }

    private async Task<string> GitAsync(string folder, string? token, CancellationToken cancellationToken, params string[] args)
    {
        var result = await _runner.RunAsync(Command(folder, token, args), null, cancellationToken);
        if (!result.Succeeded)
        {
            var why = CommandFailedException.Tail(result.StandardError, 3);
            throw new DeployMindException($"git {args[0]} failed: {why}");
        }

        return result.StandardOutput;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$")]
    private static partial Regex SafeRef();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+$")]
    private static partial Regex OwnerRepo();
}
