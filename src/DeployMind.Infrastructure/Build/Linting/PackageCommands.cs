namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Recognises package-manager and build commands in RUN scripts.</summary>
internal static class PackageCommands
{
    private static readonly string[] PipOptionsWithValue =
    [
        "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
        "-t", "--target", "--prefix", "--root", "-e", "--editable", "--platform", "--python-version", "--only-binary", "--no-binary",
    ];

    /// <summary>The command installs dependencies from manifests (what must be copied before it), or null.</summary>
    public static DependencyInstall? AsDependencyInstall(ShellCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sub = command.Subcommand();
        var arguments = command.Arguments;
        DependencyInstall? result = command.Program switch
        {
            "npm" when sub is "ci" or "install" or "i" => new("npm " + sub, "package.json package-lock.json"),
            "yarn" when sub is null or "install" => new("yarn install", "package.json yarn.lock"),
            "pnpm" when sub is "install" or "i" => new("pnpm install", "package.json pnpm-lock.yaml"),
            "bun" when sub is "install" or "i" => new("bun install", "package.json bun.lock"),
            "go" when sub == "mod" && arguments.Contains("download") => new("go mod download", "go.mod go.sum"),
            "bundle" when sub is null or "install" => new("bundle install", "Gemfile Gemfile.lock"),
            "composer" when sub == "install" => new("composer install", "composer.json composer.lock"),
            "mvn" or "mvnw" when arguments.Any(a => a.StartsWith("dependency:", StringComparison.Ordinal)) =>
                new("mvn " + arguments.First(a => a.StartsWith("dependency:", StringComparison.Ordinal)), "pom.xml"),
            "cargo" when sub == "fetch" => new("cargo fetch", "Cargo.toml Cargo.lock"),
            "poetry" when sub == "install" => new("poetry install", "pyproject.toml poetry.lock"),
            "pipenv" when sub is "install" or "sync" => new("pipenv " + sub, "Pipfile Pipfile.lock"),
            "uv" when sub == "sync" => new("uv sync", "pyproject.toml uv.lock"),
            "dotnet" when sub == "restore" => new("dotnet restore", "the *.csproj files (and NuGet.config)"),
            _ => null,
        };

        if (result is null && PipArguments(command) is { } pip && pip.Count > 0 && pip[0] == "install")
        {
            var requirements = ValueOf(pip, "-r", "--requirement");
            if (requirements is not null)
            {
                result = new DependencyInstall("pip install -r " + requirements, requirements);
            }
        }

        return result;
    }

    /// <summary>The command compiles the app or installs packages (why a second stage would pay off), named for a message; or null.</summary>
    public static string? AsBuildStep(ShellCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sub = command.Subcommand();
        var name = command.Program switch
        {
            "npm" when sub is "ci" or "install" or "i" or "run" => "npm " + sub,
            "yarn" or "pnpm" => command.Program + (sub is null ? string.Empty : " " + sub),
            "go" when sub is "build" or "install" => "go " + sub,
            "mvn" or "mvnw" or "gradle" or "gradlew" => command.Program + (sub is null ? string.Empty : " " + sub),
            "cargo" when sub is "build" or "install" => "cargo " + sub,
            "composer" when sub == "install" => "composer install",
            "bundle" when sub is null or "install" => "bundle install",
            "dotnet" when sub is "publish" or "build" => "dotnet " + sub,
            "apt-get" or "apt" when AptSubcommand(command) == "install" => command.Program + " install",
            _ => null,
        };

        if (name is null && PipArguments(command) is { Count: > 0 } pip && pip[0] == "install")
        {
            name = "pip install";
        }

        return name;
    }

    /// <summary>
    /// The words after "pip" for pip, pip3, pip3.12 and python -m pip, subcommand first: general options written
    /// before it (<c>pip --python /opt/venv/bin/python install ...</c>) are moved after it. Null for other commands.
    /// </summary>
    public static IReadOnlyList<string>? PipArguments(ShellCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var program = command.Program;
        var arguments = command.Arguments;
        if (program.StartsWith("pip", StringComparison.Ordinal) && program[3..].All(c => char.IsDigit(c) || c == '.'))
        {
            return SubcommandFirst(arguments);
        }

        if (program.StartsWith("python", StringComparison.Ordinal) && program[6..].All(c => char.IsDigit(c) || c == '.'))
        {
            for (var i = 0; i + 1 < arguments.Count; i++)
            {
                if (arguments[i] == "-m" && arguments[i + 1] == "pip")
                {
                    return SubcommandFirst([.. arguments.Skip(i + 2)]);
                }
            }
        }

        return null;
    }

    private static List<string> SubcommandFirst(IReadOnlyList<string> arguments)
    {
        var leading = new List<string>();
        var i = 0;
        while (i < arguments.Count && arguments[i].StartsWith('-'))
        {
            leading.Add(arguments[i]);
            if (!arguments[i].Contains('=', StringComparison.Ordinal) && PipGeneralOptionsWithValue.Contains(arguments[i]) && i + 1 < arguments.Count)
            {
                leading.Add(arguments[++i]);
            }

            i++;
        }

        return [.. arguments.Skip(i), .. leading];
    }

    /// <summary>pip's general options that take a value (they may stand before the subcommand).</summary>
    private static readonly HashSet<string> PipGeneralOptionsWithValue = new(StringComparer.Ordinal)
    {
        "--python", "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert",
        "--cache-dir", "--log", "--use-feature", "--use-deprecated", "--root-user-action", "--keyring-provider", "--progress-bar",
    };

    /// <summary>The apt-get/apt action ("install", "update", ...), skipping options such as -o, -t, -c and their values.</summary>
    public static string? AptSubcommand(ShellCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Program is "apt-get" or "apt" ? command.Subcommand("-o", "-t", "-c", "--target-release", "--config-file", "--option") : null;
    }

    /// <summary>The package names of an install command (options and their values left out; URLs dropped so no credential leaks into a message).</summary>
    public static IReadOnlyList<string> Packages(IReadOnlyList<string> arguments, string subcommand, params string[] optionsWithValue)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var packages = new List<string>();
        var seenSubcommand = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var word = arguments[i];
            if (word.StartsWith('-'))
            {
                if (optionsWithValue.Contains(word))
                {
                    i++;
                }

                continue;
            }

            if (!seenSubcommand)
            {
                seenSubcommand = word == subcommand;
                continue;
            }

            if (!word.Contains("://", StringComparison.Ordinal) && !word.Contains('@', StringComparison.Ordinal)
                && !word.StartsWith('>') && !word.StartsWith('<'))
            {
                packages.Add(word);
            }
        }

        return packages;
    }

    /// <summary>pip options that take a value (so they are not mistaken for package names).</summary>
    public static string[] PipValueOptions => PipOptionsWithValue;

    /// <summary>The value of the first of these options (<c>-r file</c> or <c>--requirement=file</c>).</summary>
    public static string? ValueOf(IReadOnlyList<string> arguments, params string[] options)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        for (var i = 0; i < arguments.Count; i++)
        {
            foreach (var option in options)
            {
                if (arguments[i] == option && i + 1 < arguments.Count)
                {
                    return arguments[i + 1];
                }

                if (arguments[i].StartsWith(option + "=", StringComparison.Ordinal))
                {
                    return arguments[i][(option.Length + 1)..];
                }
            }
        }

        return null;
    }
}
