using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Build;

public sealed class DockerfileGeneratorTests
{
    private static readonly DockerfileGenerator Generator = new(Options.Create(new BuildOptions()));
    private static readonly DockerfileLinter Linter = new();

    /// <summary>One detection per language (and package-manager variant) the templates cover.</summary>
    public static TheoryData<string> Cases => new(AllCases().Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_EveryTemplate_IsMultiStageNonRootAndLintsClean(string name)
    {
        var detection = AllCases()[name];

        var output = Generator.Generate(detection);

        var lines = output.Dockerfile.Split('\n');
        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(froms.Count >= 2, $"{name}: not multi-stage:\n{output.Dockerfile}");
        var finalStage = lines.SkipWhile(l => l != froms[^1]).ToList();
        var user = finalStage.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.NotNull(user);
        Assert.DoesNotContain(user["USER ".Length..].Split(':')[0].Trim(), new[] { "root", "0" });
        Assert.Contains(finalStage, l => l.StartsWith("CMD [", StringComparison.Ordinal) || l.StartsWith("ENTRYPOINT [", StringComparison.Ordinal));
        Assert.Contains(finalStage, l => l.Contains($"PORT={detection.Port}", StringComparison.Ordinal));
        Assert.Contains(finalStage, l => l == $"EXPOSE {detection.Port}");

        var findings = Linter.Lint(output.Dockerfile, new LintContext(HasDockerignore: true));
        Assert.True(findings.Count == 0, $"{name}: generated Dockerfile has findings:\n" + string.Join('\n', findings.Select(f => $"{f.Line} {f.RuleId} {f.Message}")) + "\n" + output.Dockerfile);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_BuildKitVariant_LintsCleanAndDiffersFromTheClassicOnlyInItsCaches(string name)
    {
        var detection = AllCases()[name];

        var classic = Generator.Generate(detection).Dockerfile;
        var buildKit = Generator.Generate(detection, cacheMounts: true).Dockerfile;

        Assert.DoesNotContain("--mount", classic, StringComparison.Ordinal);
        Assert.DoesNotContain("# syntax=", buildKit, StringComparison.Ordinal); // Docker Hub's frontend image is not needed (or reachable)
        var findings = Linter.Lint(buildKit, new LintContext(HasDockerignore: true));
        Assert.True(findings.Count == 0, $"{name}: BuildKit variant has findings:\n" + string.Join('\n', findings.Select(f => $"{f.Line} {f.RuleId} {f.Message}")) + "\n" + buildKit);
        var mounts = buildKit.Split('\n').Where(l => l.StartsWith("RUN --mount=type=cache,target=", StringComparison.Ordinal)).ToList();
        if (detection.Language is Language.Ruby or Language.Php)
        {
            Assert.Equal(classic, buildKit);
            return;
        }

        Assert.NotEmpty(mounts);
        // Same instructions otherwise: the FROM, COPY and runtime lines are those of the classic variant.
        string[] Keep(string text) => [.. text.Split('\n').Where(l => l.StartsWith("FROM ", StringComparison.Ordinal) || l.StartsWith("COPY ", StringComparison.Ordinal) || l.StartsWith("USER ", StringComparison.Ordinal) || l.StartsWith("CMD ", StringComparison.Ordinal) || l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))];
        Assert.Equal(Keep(classic), Keep(buildKit));
    }

    [Theory]
    [InlineData("go", "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build")]
    [InlineData("node-npm", "RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev")]
    [InlineData("python-pip", "RUN --mount=type=cache,target=/root/.cache/pip pip --python /opt/venv/bin/python install -r requirements.txt")]
    [InlineData("java-maven", "RUN --mount=type=cache,target=/root/.m2 mvn --batch-mode --quiet package")]
    [InlineData("rust-axum", "RUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/src/target,sharing=locked touch src/main.rs")]
    [InlineData("dotnet", "RUN --mount=type=cache,target=/root/.nuget/packages dotnet publish")]
    public void Generate_BuildKitVariant_MountsTheLanguageCache(string name, string run)
    {
        var text = Generator.Generate(AllCases()[name], cacheMounts: true).Dockerfile;

        Assert.Contains(run, text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_EveryTemplate_PinsExplicitBaseTags(string name)
    {
        var output = Generator.Generate(AllCases()[name]);

        Assert.NotEmpty(output.BaseImages);
        foreach (var image in output.BaseImages)
        {
            var lastSegment = image[(image.LastIndexOf('/') + 1)..];
            Assert.Contains(':', lastSegment);
            Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("node-npm", "COPY package.json package-lock.json ./", "RUN npm ci")]
    [InlineData("python-pip", "COPY requirements.txt ./", "RUN pip --python /opt/venv/bin/python install --no-cache-dir -r requirements.txt")]
    [InlineData("python-poetry", "COPY pyproject.toml poetry.lock ./", "poetry install --only main --no-root")]
    [InlineData("go", "COPY go.mod ./", "RUN go mod download")]
    [InlineData("java-maven", "COPY pom.xml ./", "dependency:go-offline")]
    [InlineData("ruby-rails", "COPY Gemfile Gemfile.lock ./", "RUN bundle install")]
    [InlineData("rust-axum", "COPY Cargo.toml Cargo.lock ./", "cargo build --release")]
    [InlineData("php-laravel", "COPY composer.json composer.lock ./", "composer install")]
    [InlineData("dotnet", "COPY src/Api/Api.csproj ./src/Api/", "dotnet restore src/Api/Api.csproj")]
    public void Generate_Template_InstallsDependenciesBeforeCopyingSources(string name, string manifestCopy, string install)
    {
        var text = Generator.Generate(AllCases()[name]).Dockerfile;

        var manifestAt = text.IndexOf(manifestCopy, StringComparison.Ordinal);
        var installAt = text.IndexOf(install, StringComparison.Ordinal);
        var sourcesAt = text.IndexOf("COPY . .", StringComparison.Ordinal);
        Assert.True(manifestAt >= 0, $"'{manifestCopy}' missing:\n{text}");
        Assert.True(installAt > manifestAt, $"'{install}' not after the manifests:\n{text}");
        Assert.True(sourcesAt < 0 || sourcesAt > installAt, $"sources copied before the install:\n{text}");
    }

    [Fact]
    public void Generate_BaseImageMapping_ReplacesOfficialImages()
    {
        var generator = new DockerfileGenerator(Options.Create(new BuildOptions
        {
            BaseImages = new(StringComparer.OrdinalIgnoreCase) { ["golang"] = "mirror.example.com/golang:1.22", ["static"] = "mirror.example.com/static:nonroot" },
        }));

        var output = generator.Generate(AllCases()["go"]);

        Assert.Contains("FROM mirror.example.com/golang:1.22 AS build", output.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mirror.example.com/static:nonroot\n", output.Dockerfile, StringComparison.Ordinal);
        Assert.Equal(["mirror.example.com/golang:1.22", "mirror.example.com/static:nonroot"], output.BaseImages);
        Assert.DoesNotContain("golang:1.22-bookworm", output.Dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("go", "goVersion", "1.23", "FROM golang:1.23-bookworm AS build")]
    [InlineData("go", "goVersion", "1.19", "FROM golang:1.22-bookworm AS build")]
    [InlineData("dotnet", "dotnetTargetFramework", "net9.0", "FROM mcr.microsoft.com/dotnet/aspnet:9.0\n")]
    [InlineData("dotnet", "dotnetTargetFramework", "net8.0", "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build")]
    public void Generate_DeclaredToolchainNewerThanDefault_UsesThatVersion(string name, string fact, string value, string expected)
    {
        var detection = AllCases()[name];
        var facts = new Dictionary<string, string>(detection.Facts) { [fact] = value };

        var output = Generator.Generate(detection with { Facts = facts });

        Assert.Contains(expected, output.Dockerfile, StringComparison.Ordinal);
        Assert.Contains(expected.Split(' ')[1].TrimEnd('\n'), output.BaseImages);
    }

    [Theory]
    [InlineData("node server.js", "CMD [\"node\", \"server.js\"]")]
    [InlineData("node --enable-source-maps dist/main.js", "CMD [\"node\", \"--enable-source-maps\", \"dist/main.js\"]")]
    [InlineData("nodemon server.js", "CMD [\"npm\", \"start\"]")]
    public void Generate_NodeStartScript_RunsNodeDirectlyWhenThatIsAllItDoes(string startScript, string expected)
    {
        var detection = AllCases()["node-npm"] with { Facts = new Dictionary<string, string> { ["startScript"] = startScript } };

        var text = Generator.Generate(detection).Dockerfile;

        Assert.Contains(expected + "\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-pnpm")]
    [InlineData("node-bun")]
    [InlineData("node-yarn-next")]
    public void Generate_NodeWithOtherPackageManagers_StartsThroughNpmInTheRuntime(string name)
    {
        var text = Generator.Generate(AllCases()[name]).Dockerfile;

        Assert.EndsWith("CMD [\"npm\", \"start\"]\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ProcfileCommand_BecomesTheCommand()
    {
        var detection = AllCases()["python-pip"] with { StartCommand = "gunicorn app:app --bind 0.0.0.0:$PORT", StartCommandFromProcfile = true };

        var text = Generator.Generate(detection).Dockerfile;

        Assert.Contains("CMD [\"sh\", \"-c\", \"exec gunicorn app:app --bind 0.0.0.0:$PORT\"]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_NodeWithBuildScript_ShipsBuildOutputWithProductionDependenciesOnly()
    {
        var detection = AllCases()["node-npm"] with { Facts = new Dictionary<string, string> { ["buildScript"] = "true" } };

        var text = Generator.Generate(detection).Dockerfile;

        Assert.Contains("RUN npm run build \\\n    && rm -rf node_modules", text, StringComparison.Ordinal);
        Assert.Contains("RUN npm ci --omit=dev", text, StringComparison.Ordinal);
        var runtime = text[text.LastIndexOf("FROM ", StringComparison.Ordinal)..];
        Assert.Contains("COPY --from=deps --chown=node:node /app/node_modules ./node_modules\nCOPY --from=build --chown=node:node /app ./", runtime, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-npm", "node_modules")]
    [InlineData("python-pip", "__pycache__")]
    [InlineData("go", "*_test.go")]
    [InlineData("java-maven", "target")]
    [InlineData("rust-axum", "target")]
    [InlineData("dotnet", "obj")]
    public void Generate_Dockerignore_ExcludesSecretsVcsAndDependencyFolders(string name, string specific)
    {
        var ignore = Generator.Generate(AllCases()[name]).Dockerignore.Split('\n');

        Assert.Contains(".git", ignore);
        Assert.Contains(".env", ignore);
        Assert.Contains(specific, ignore);
    }

    [Theory]
    [InlineData("node server.js", new[] { "node", "server.js" })]
    [InlineData("uvicorn main:app --host 0.0.0.0 --port $PORT", new[] { "sh", "-c", "exec uvicorn main:app --host 0.0.0.0 --port $PORT" })]
    [InlineData("exec python app.py && true", new[] { "sh", "-c", "exec python app.py && true" })]
    public void CommandArguments_StartCommand_ExecFormOrShellWhenNeeded(string command, string[] expected)
    {
        Assert.Equal(expected, DockerfileGenerator.CommandArguments(command));
    }

    private static Dictionary<string, DetectionResult> AllCases()
    {
        static DetectionResult D(Language language, string? framework, string? entry, string start, int port, string pm, string? lockfile, params (string Key, string Value)[] facts) =>
            new(Path.GetTempPath(), language, framework, entry, start, port, pm, lockfile, false, false, ["test"], 1.0)
            {
                Facts = facts.ToDictionary(f => f.Key, f => f.Value),
            };

        return new Dictionary<string, DetectionResult>
        {
            ["node-npm"] = D(Language.Node, "express", "server.js", "npm start", 3000, "npm", "package-lock.json", ("startScript", "node server.js")),
            ["node-pnpm"] = D(Language.Node, "fastify", "index.js", "pnpm start", 3000, "pnpm", "pnpm-lock.yaml"),
            ["node-yarn-next"] = D(Language.Node, "next", null, "yarn start", 3000, "yarn", "yarn.lock", ("buildScript", "true")),
            ["node-bun"] = D(Language.Node, "hapi", "index.js", "bun run start", 3000, "bun", "bun.lockb"),
            ["node-nolock"] = D(Language.Node, null, "index.js", "node index.js", 3000, "npm", null),
            ["python-pip"] = D(Language.Python, "flask", "app.py", "python app.py", 5000, "pip", null, ("requirementsFile", "requirements.txt")),
            ["python-poetry"] = D(Language.Python, "fastapi", "main.py", "uvicorn main:app --host 0.0.0.0 --port $PORT", 8000, "poetry", "poetry.lock"),
            ["python-pipenv"] = D(Language.Python, "django", "manage.py", "python manage.py runserver 0.0.0.0:$PORT", 8000, "pipenv", "Pipfile.lock"),
            ["python-uv"] = D(Language.Python, "tornado", "server.py", "python server.py", 8000, "uv", "uv.lock"),
            ["go"] = D(Language.Go, "gin", "main.go", "/app/server", 8080, "go", null, ("goMainPackage", ".")),
            ["java-maven"] = D(Language.Java, "spring-boot", null, "java -jar /app/app.jar", 8080, "maven", null),
            ["java-gradle"] = D(Language.Java, "spring-boot", null, "java -jar /app/app.jar", 8080, "gradle", null),
            ["ruby-rails"] = D(Language.Ruby, "rails", "config.ru", "bundle exec rails server -b 0.0.0.0 -p $PORT", 3000, "bundler", "Gemfile.lock"),
            ["rust-axum"] = D(Language.Rust, "axum", null, "/app/api", 8080, "cargo", "Cargo.lock", ("rustBinary", "api")),
            ["php-laravel"] = D(Language.Php, "laravel", "artisan", "php artisan serve --host=0.0.0.0 --port=$PORT", 8000, "composer", "composer.lock"),
            ["dotnet"] = D(Language.DotNet, "aspnetcore", "src/Api/Api.csproj", "dotnet Api.dll", 8080, "dotnet", null, ("dotnetProject", "src/Api/Api.csproj"), ("dotnetAssembly", "Api")),
        };
    }
}
