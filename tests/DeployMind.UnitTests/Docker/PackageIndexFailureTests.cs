using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

/// <summary>Real (or real-looking) logs of dependency downloads without a network, per ecosystem.</summary>
public sealed class PackageIndexFailureTests
{
    // pip 24 in deploymind-base/python:3.11 with no route out (captured from a generated Dockerfile's build).
    internal static readonly string[] PipLog =
    [
        "Step 6/18 : RUN pip --python /opt/venv/bin/python install --no-cache-dir -r requirements.txt",
        " ---> Running in ea59aa21c45b",
        "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f7893232050>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/flask/",
        "WARNING: Retrying (Retry(total=3, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f78932b3e50>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/flask/",
        "WARNING: Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f78932b3490>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/flask/",
        "WARNING: Retrying (Retry(total=1, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f78930c8150>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/flask/",
        "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f78930cb250>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/flask/",
        "ERROR: Could not find a version that satisfies the requirement flask==3.0.0 (from versions: none)",
        "ERROR: No matching distribution found for flask==3.0.0",
        "Removing intermediate container ea59aa21c45b",
        "The command '/bin/sh -c pip --python /opt/venv/bin/python install --no-cache-dir -r requirements.txt' returned a non-zero code: 1",
    ];

    [Fact]
    public void Describe_PipWithoutNetwork_SaysPipCouldNotReachPyPIAndHowToUseAMirror()
    {
        var line = PackageIndexFailure.Describe("RUN pip --python /opt/venv/bin/python install --no-cache-dir -r requirements.txt", PipLog);

        Assert.NotNull(line);
        Assert.StartsWith("pip could not reach its package index (pypi.org: Failed to establish a new connection): ", line, StringComparison.Ordinal);
        Assert.Contains("PIP_INDEX_URL", line, StringComparison.Ordinal);
        Assert.Contains("pip install --no-index --find-links wheels", line, StringComparison.Ordinal);
        Assert.Contains("build.network", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Theory]
    [MemberData(nameof(Unreachable))]
    public void Describe_DownloadWithoutNetwork_NamesTheToolTheHostAndTheMirrorSetting(string instruction, string[] log, string expectedStart, string mirror)
    {
        var line = PackageIndexFailure.Describe(instruction, log);

        Assert.NotNull(line);
        Assert.StartsWith(expectedStart, line, StringComparison.Ordinal);
        Assert.Contains(mirror, line, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string, string> Unreachable() => new()
    {
        {
            // npm 10 in deploymind-base/node:18, docker run --network none (captured).
            "RUN npm ci --no-audit --no-fund",
            ["npm ERR! code EAI_AGAIN", "npm ERR! syscall getaddrinfo", "npm ERR! errno EAI_AGAIN", "npm ERR! request to https://registry.npmjs.org/express failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org", "", "npm ERR! A complete log of this run can be found in:", "npm ERR!     /root/.npm/_logs/2026-12-06T20_55_57_556Z-debug-0.log"],
            "npm could not reach its registry (registry.npmjs.org: EAI_AGAIN)",
            "registry=https://<mirror>/"
        },
        {
            "RUN npm ci --omit=dev --no-audit --no-fund",
            ["npm ERR! code ENOTFOUND", "npm ERR! syscall getaddrinfo", "npm ERR! errno ENOTFOUND", "npm ERR! network request to https://registry.npmjs.org/express failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org"],
            "npm could not reach its registry (registry.npmjs.org: ENOTFOUND)",
            ".npmrc"
        },
        {
            // go 1.19 in deploymind-base/golang:1.19, docker run --network none (captured).
            "RUN go mod download",
            ["go: github.com/gin-gonic/gin@v1.9.1: Get \"https://proxy.golang.org/github.com/gin-gonic/gin/@v/v1.9.1.mod\": dial tcp: lookup proxy.golang.org on 203.0.113.53:53: dial udp 203.0.113.53:53: connect: network is unreachable"],
            "go could not reach its module proxy (proxy.golang.org: dial tcp)",
            "GOPROXY=https://<mirror>,direct"
        },
        {
            "RUN mvn --batch-mode --quiet dependency:go-offline",
            ["[ERROR] Plugin org.apache.maven.plugins:maven-dependency-plugin:3.6.1 or one of its dependencies could not be resolved: Failed to read artifact descriptor for org.apache.maven.plugins:maven-dependency-plugin:jar:3.6.1: The following artifacts could not be resolved: org.apache.maven.plugins:maven-dependency-plugin:pom:3.6.1 (absent): Could not transfer artifact org.apache.maven.plugins:maven-dependency-plugin:pom:3.6.1 from/to central (https://repo.maven.apache.org/maven2): repo.maven.apache.org: Temporary failure in name resolution -> [Help 1]"],
            "Maven could not reach its repository (repo.maven.apache.org: Temporary failure in name resolution)",
            "settings.xml"
        },
        {
            "RUN bundle install --jobs 4",
            ["Fetching source index from https://rubygems.org/", "Retrying fetcher due to error (2/4): Bundler::HTTPError Could not fetch specs from https://rubygems.org/ due to underlying error <Errno::ENETUNREACH: Network is unreachable - connect(2) for \"rubygems.org\" port 443 (https://rubygems.org/specs.4.8.gz)>"],
            "bundler could not reach its gem source (rubygems.org: Network is unreachable)",
            "BUNDLE_MIRROR__HTTPS://RUBYGEMS__ORG/"
        },
        {
            "RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release && rm -rf src",
            ["    Updating crates.io index", "warning: spurious network error (3 tries remaining): [6] Couldn't resolve host name (Could not resolve host: index.crates.io)", "error: failed to get `axum` as a dependency of package `app v0.1.0 (/app)`", "Caused by:", "  download of config.json failed"],
            "cargo could not reach its registry (index.crates.io: Could not resolve host)",
            ".cargo/config.toml"
        },
        {
            "RUN dotnet restore app.csproj",
            ["  Determining projects to restore...", "/app/app.csproj : error NU1301: Unable to load the service index for source https://api.nuget.org/v3/index.json. [/app/app.csproj]"],
            "dotnet restore could not reach its NuGet feed (api.nuget.org: NU1301)",
            "NuGet.config"
        },
    };

    [Fact]
    public void Describe_MisspeltPipPackageWithANetwork_IsNoNetworkFailure()
    {
        string[] log = ["ERROR: Could not find a version that satisfies the requirement flaskk==3.0.0 (from versions: none)", "ERROR: No matching distribution found for flaskk==3.0.0"];

        Assert.Null(PackageIndexFailure.Describe("RUN pip install --no-cache-dir -r requirements.txt", log));
    }

    [Fact]
    public void Describe_CompileErrorOrAnotherInstruction_IsNoNetworkFailure()
    {
        Assert.Null(PackageIndexFailure.Describe("RUN CGO_ENABLED=0 go build -o /out/server .", ["./main.go:4:2: syntax error: non-declaration statement outside function body"]));
        Assert.Null(PackageIndexFailure.Describe("COPY requirements.txt ./", PipLog));
        Assert.Null(PackageIndexFailure.Describe(null, PipLog));
    }

    [Fact]
    public void LastStep_ClassicAndBuildKitLogs_AreTheLinesAfterTheLastStepStarted()
    {
        Assert.Equal(["b"], PackageIndexFailure.LastStep(["Step 1/2 : FROM x", "a", "Step 2/2 : RUN y", "b"]));
        Assert.Equal(["#7 0.512 b"], PackageIndexFailure.LastStep(["#6 [build 2/3] COPY . .", "#7 [build 3/3] RUN y", "#7 0.512 b"]));
    }
}
