using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// Recognises a build step whose dependency download could not reach its package index (no network, no DNS, a proxy
/// in the way) from the step's log, per ecosystem, and says so in one line with the ecosystem's way to use a mirror:
/// "pip could not reach its package index (pypi.org: Name or service not known): …". Only connection-level evidence
/// counts — pip's "Could not find a version that satisfies" alone is also what a misspelt package gives.
/// </summary>
internal static partial class PackageIndexFailure
{
    private static readonly Ecosystem[] Ecosystems =
    [
        new(
            "pip",
            ["pip ", "pip3 ", "uv ", "poetry ", "pipenv "],
            "its package index",
            "pypi.org",
            ["Failed to establish a new connection", "Temporary failure in name resolution", "Name or service not known", "NewConnectionError", "ConnectTimeoutError", "ProxyError", "Network is unreachable"],
            "point pip at a mirror with ENV PIP_INDEX_URL=https://<mirror>/simple/ before the install in the Dockerfile (or an index-url in a pip.conf copied to /etc/pip.conf), or vendor the dependencies (pip download -r requirements.txt -d wheels, then pip install --no-index --find-links wheels)"),
        new(
            "npm",
            ["npm ", "yarn ", "pnpm ", "npx "],
            "its registry",
            "registry.npmjs.org",
            ["ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENETUNREACH", "network request to", "getaddrinfo"],
            "point npm at a mirror with an .npmrc holding registry=https://<mirror>/ copied before the install (or ENV npm_config_registry=https://<mirror>/ in the Dockerfile), or vendor the dependencies"),
        new(
            "go",
            ["go mod ", "go build", "go get ", "go install "],
            "its module proxy",
            "proxy.golang.org",
            ["dial tcp", "no such host", "i/o timeout", "connection refused", "network is unreachable", "TLS handshake timeout"],
            "point go at a mirror with ENV GOPROXY=https://<mirror>,direct before go mod download in the Dockerfile, or vendor the dependencies (go mod vendor)"),
        new(
            "Maven",
            ["mvn ", "mvnw "],
            "its repository",
            "repo.maven.apache.org",
            ["UnknownHostException", "Temporary failure in name resolution", "Name or service not known", "Connection timed out", "Connection refused", "Network is unreachable"],
            "add a <mirror> to a settings.xml copied to /root/.m2/settings.xml (or run mvn -s settings.xml), or vendor the dependencies"),
        new(
            "Gradle",
            ["gradle ", "gradlew "],
            "its repository",
            "repo.maven.apache.org",
            ["UnknownHostException", "Temporary failure in name resolution", "Name or service not known", "Connection timed out", "Connection refused", "Network is unreachable"],
            "point the repositories { maven { url } } of build.gradle (and pluginManagement in settings.gradle) at a mirror, or vendor the dependencies"),
        new(
            "bundler",
            ["bundle ", "gem "],
            "its gem source",
            "rubygems.org",
            ["Network is unreachable", "getaddrinfo", "Failed to open TCP connection", "Temporary failure in name resolution", "Could not reach host", "Name or service not known"],
            "point bundler at a mirror with ENV BUNDLE_MIRROR__HTTPS://RUBYGEMS__ORG/=https://<mirror> in the Dockerfile (bundle config mirror.https://rubygems.org), or vendor the dependencies (bundle cache)"),
        new(
            "cargo",
            ["cargo "],
            "its registry",
            "index.crates.io",
            ["Could not resolve host", "Couldn't resolve host name", "spurious network error", "failed to query replaced source", "download of config.json failed", "Failed to connect", "Connection timed out"],
            "replace crates-io with a mirror in a .cargo/config.toml ([source.crates-io] replace-with) copied before the build, or vendor the dependencies (cargo vendor)"),
        new(
            "dotnet restore",
            ["dotnet restore", "dotnet publish", "dotnet build"],
            "its NuGet feed",
            "api.nuget.org",
            ["NU1301", "Unable to load the service index", "Name or service not known", "Temporary failure in name resolution", "Connection refused", "No such host is known"],
            "list a mirror under <packageSources> in a NuGet.config next to the project, copied before dotnet restore, or vendor the dependencies (a local feed folder)"),
        new(
            "composer",
            ["composer "],
            "its repository",
            "repo.packagist.org",
            ["curl error 6", "curl error 7", "curl error 28", "Could not resolve host", "Network is unreachable", "Connection timed out"],
            "point composer at a mirror with a repositories entry in composer.json (composer config repos.packagist composer https://<mirror>), or vendor the dependencies"),
    ];

    /// <summary>The one line for a failed <paramref name="instruction"/> whose <paramref name="stepLog"/> shows its index was unreachable, else null.</summary>
    public static string? Describe(string? instruction, IReadOnlyList<string> stepLog)
    {
        ArgumentNullException.ThrowIfNull(stepLog);
        if (instruction is null || !instruction.StartsWith("RUN ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var command = " " + instruction[4..].Trim() + " ";
        foreach (var ecosystem in Ecosystems)
        {
            if (!ecosystem.Commands.Any(c => command.Contains(" " + c, StringComparison.Ordinal) || command.Contains("/" + c, StringComparison.Ordinal)))
            {
                continue;
            }

            var evidence = stepLog.Where(l => ecosystem.Signatures.Any(s => l.Contains(s, StringComparison.OrdinalIgnoreCase))).ToList();
            if (evidence.Count > 0)
            {
                var signature = ecosystem.Signatures.First(s => evidence[0].Contains(s, StringComparison.OrdinalIgnoreCase));
                var host = Host(evidence) ?? ecosystem.DefaultHost;
                return $"{ecosystem.Tool} could not reach {ecosystem.Index} ({host}: {signature}): {ecosystem.Fix}; build.network sets the network RUN steps use.";
            }
        }

        return null;
    }

    /// <summary>The lines of the last step in <paramref name="log"/> (after its last "Step n/m" or BuildKit step line).</summary>
    public static IReadOnlyList<string> LastStep(IReadOnlyList<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        for (var i = log.Count - 1; i >= 0; i--)
        {
            if (StepStart().IsMatch(log[i]))
            {
                return [.. log.Skip(i + 1)];
            }
        }

        return log;
    }

    // The host the failing lines name: "lookup proxy.golang.org", "ENOTFOUND registry.npmjs.org", "host='pypi.org'", a URL.
    private static string? Host(IReadOnlyList<string> log)
    {
        foreach (var line in log)
        {
            var match = HostInLine().Match(line);
            if (match.Success)
            {
                return match.Groups["host"].Value.TrimEnd('.');
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\s*(Step \d+/\d+ : |#\d+ \[)")]
    private static partial Regex StepStart();

    [GeneratedRegex(@"(?:lookup |ENOTFOUND |EAI_AGAIN |host='|Could not resolve host: |https?://)(?<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")]
    private static partial Regex HostInLine();

    private sealed record Ecosystem(string Tool, string[] Commands, string Index, string DefaultHost, string[] Signatures, string Fix);
}
