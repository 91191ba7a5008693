using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// Python from pyproject.toml, requirements files, Pipfile, setup.py or a lockfile: package manager (poetry, uv, pdm,
/// pipenv, pip), framework from the declared dependencies, entry module and the server command.
/// </summary>
internal sealed partial class PythonProbe : IStackProbe
{
    public const int DefaultPort = 8000;
    public const int FlaskPort = 5000;

    private const string PyProject = "pyproject.toml";
    private const string Pipfile = "Pipfile";
    private const string SetupPy = "setup.py";

    /// <summary>pip requirement files, the conventional name first, then the split-by-environment layouts.</summary>
    private static readonly string[] RequirementFiles =
        ["requirements.txt", "requirements/prod.txt", "requirements/production.txt", "requirements/base.txt", "requirements/common.txt"];

    /// <summary>Lockfile → package manager; a lockfile is what the project installs from, so it decides first.</summary>
    private static readonly (string File, string Manager)[] Lockfiles =
    [
        ("poetry.lock", "poetry"),
        ("uv.lock", "uv"),
        ("pdm.lock", "pdm"),
        ("Pipfile.lock", "pipenv"),
    ];

    /// <summary>Dependency → framework; Django first (a Django project may pull in others), then the micro-frameworks.</summary>
    private static readonly (string Dependency, string Framework)[] Frameworks =
    [
        ("django", "django"),
        ("fastapi", "fastapi"),
        ("flask", "flask"),
        ("tornado", "tornado"),
    ];

    private static readonly string[] GenericEntries =
        ["main.py", "app.py", "wsgi.py", "manage.py", "server.py", "run.py", "application.py", "app/main.py", "src/main.py", "src/app.py"];

    private static readonly string[] FlaskEntries =
        ["app.py", "wsgi.py", "main.py", "server.py", "run.py", "application.py", "app/main.py", "src/app.py", "src/main.py"];

    private static readonly string[] FastApiEntries =
        ["main.py", "app.py", "app/main.py", "src/main.py", "server.py", "api.py", "asgi.py", "src/app.py"];

    public Language Language => Language.Python;

    public IReadOnlyList<string> Manifests { get; } =
        [PyProject, "requirements.txt", Pipfile, SetupPy, "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        var requirementsFile = folder.FirstExisting(RequirementFiles);
        var present = Manifests.Where(folder.FileExists).ToList();
        if (requirementsFile is not null && !present.Contains(requirementsFile, StringComparer.Ordinal))
        {
            present.Insert(0, requirementsFile);
        }

        if (present.Count == 0)
        {
            return null;
        }

        var pyproject = await ReadTomlAsync(folder, PyProject, cancellationToken).ConfigureAwait(false);
        var pipfile = await ReadTomlAsync(folder, Pipfile, cancellationToken).ConfigureAwait(false);
        var candidate = new DetectionCandidate(Language.Python, present[0], "pip") { Port = DefaultPort };
        foreach (var file in new[] { PyProject, requirementsFile, Pipfile, SetupPy })
        {
            if (file is not null && present.Contains(file, StringComparer.Ordinal))
            {
                candidate.Evidence.Add(file);
            }
        }

        // Declared dependencies, each with the file that declares it (normalised PEP 503 names).
        var dependencies = new List<(string Name, string Source)>();
        if (requirementsFile is not null)
        {
            candidate.SetFact(DetectionFacts.RequirementsFile, requirementsFile);
            await ReadRequirementsAsync(folder, requirementsFile, dependencies, [], cancellationToken).ConfigureAwait(false);
        }

        if (pyproject is not null)
        {
            dependencies.AddRange(pyproject.GetStringArray("project", "dependencies").Select(spec => (NormalizeName(spec), PyProject)));
            dependencies.AddRange(pyproject.KeysOf("tool.poetry.dependencies").Where(name => name != "python").Select(name => (NormalizeName(name), PyProject)));
        }

        if (pipfile is not null)
        {
            dependencies.AddRange(pipfile.KeysOf("packages").Select(name => (NormalizeName(name), Pipfile)));
        }

        if (folder.FileExists(SetupPy))
        {
            var setup = await folder.ReadTextAsync(SetupPy, cancellationToken).ConfigureAwait(false);
            dependencies.AddRange(SetupPyRequirements(setup).Select(spec => (NormalizeName(spec), SetupPy)));
        }

        DetectPackageManager(folder, pyproject, pipfile, candidate);

        foreach (var (dependency, framework) in Frameworks)
        {
            var declared = dependencies.FirstOrDefault(d => d.Name == dependency);
            if (declared.Name is not null)
            {
                candidate.SetFramework(framework, $"{declared.Source}: dependency {dependency}");
                break;
            }
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, source) in dependencies)
        {
            names.TryAdd(name, source);
        }

        var scripts = pyproject is null
            ? []
            : pyproject.Table("project.scripts").Keys.Concat(pyproject.Table("tool.poetry.scripts").Keys).ToList();
        await ComposeAsync(folder, candidate, names, scripts, cancellationToken).ConfigureAwait(false);
        candidate.SetFact(DetectionFacts.PythonVersion, await PythonVersionAsync(folder, pyproject, pipfile, cancellationToken).ConfigureAwait(false));
        return candidate;
    }

    /// <summary>
    /// Fills entry point, port and start command from the framework and the installed servers (gunicorn, uvicorn).
    /// <paramref name="dependencies"/> maps each declared dependency to the file declaring it.
    /// Shared with the loose-file guess, which knows no dependencies.
    /// </summary>
    public static async Task ComposeAsync(
        AppFolder folder,
        DetectionCandidate candidate,
        IReadOnlyDictionary<string, string> dependencies,
        IReadOnlyList<string> scripts,
        CancellationToken cancellationToken)
    {
        var gunicorn = dependencies.TryGetValue("gunicorn", out var gunicornSource);
        candidate.Port = candidate.Framework == "flask" ? FlaskPort : DefaultPort;
        switch (candidate.Framework)
        {
            case "django":
            {
                candidate.EntryPoint = folder.FileExists("manage.py") ? "manage.py" : folder.FirstExisting(GenericEntries);
                var project = await FindDjangoProjectAsync(folder, cancellationToken).ConfigureAwait(false);
                candidate.SetFact(DetectionFacts.PythonProject, project);
                if (project is not null)
                {
                    candidate.Evidence.Add($"{project}/wsgi.py");
                }

                if (gunicorn && project is not null)
                {
                    candidate.Evidence.Add($"{gunicornSource}: dependency gunicorn");
                    candidate.StartCommand = $"gunicorn {project}.wsgi --bind 0.0.0.0:$PORT";
                }
                else
                {
                    candidate.StartCommand = candidate.EntryPoint == "manage.py"
                        ? "python manage.py runserver 0.0.0.0:$PORT"
                        : $"python {candidate.EntryPoint ?? "manage.py"}";
                }

                return;
            }

            case "fastapi":
            {
                var entry = await FindEntryAsync(folder, FastApiEntries, "FastAPI(", cancellationToken).ConfigureAwait(false);
                candidate.EntryPoint = entry;
                if (entry is not null && dependencies.TryGetValue("uvicorn", out var uvicornSource))
                {
                    var target = $"{ModuleOf(entry)}:{await AppVariableAsync(folder, entry, "FastAPI", cancellationToken).ConfigureAwait(false)}";
                    candidate.SetFact(DetectionFacts.PythonAppModule, target);
                    candidate.Evidence.Add($"{uvicornSource}: dependency uvicorn");
                    candidate.StartCommand = $"uvicorn {target} --host 0.0.0.0 --port $PORT";
                    return;
                }

                break;
            }

            case "flask":
            {
                var entry = await FindEntryAsync(folder, FlaskEntries, "Flask(", cancellationToken).ConfigureAwait(false);
                candidate.EntryPoint = entry;
                if (entry is not null && gunicorn)
                {
                    var target = $"{ModuleOf(entry)}:{await AppVariableAsync(folder, entry, "Flask", cancellationToken).ConfigureAwait(false)}";
                    candidate.SetFact(DetectionFacts.PythonAppModule, target);
                    candidate.Evidence.Add($"{gunicornSource}: dependency gunicorn");
                    candidate.StartCommand = $"gunicorn {target} --bind 0.0.0.0:$PORT";
                    return;
                }

                break;
            }

            default:
                candidate.EntryPoint = folder.FirstExisting(GenericEntries);
                break;
        }

        if (candidate.EntryPoint is not null)
        {
            candidate.StartCommand = $"python {candidate.EntryPoint}";
        }
        else if (scripts.Count > 0)
        {
            // A console script declared by the project ([project.scripts] / [tool.poetry.scripts]) is installed on PATH.
            candidate.StartCommand = scripts[0];
            candidate.Evidence.Add($"pyproject.toml: script {scripts[0]}");
        }
        else
        {
            candidate.StartCommand = "python main.py";
        }
    }

    /// <summary>The import path of an entry file ("app/main.py" → "app.main").</summary>
    public static string ModuleOf(string entry) =>
        (entry.EndsWith(".py", StringComparison.Ordinal) ? entry[..^3] : entry).Replace('/', '.');

    /// <summary>A dependency's canonical name from a requirement spec ("Flask-Login[extra]>=1; python_version>'3'" → "flask-login").</summary>
    public static string NormalizeName(string spec)
    {
        var match = RequirementName().Match(spec);
        return match.Success ? NameSeparators().Replace(match.Groups[1].Value, "-").ToLowerInvariant() : spec.Trim().ToLowerInvariant();
    }

    private static async Task<TomlDocument?> ReadTomlAsync(AppFolder folder, string file, CancellationToken cancellationToken)
    {
        var text = await folder.ReadTextAsync(file, cancellationToken).ConfigureAwait(false);
        return text is null ? null : TomlDocument.Parse(text);
    }

    private static void DetectPackageManager(AppFolder folder, TomlDocument? pyproject, TomlDocument? pipfile, DetectionCandidate candidate)
    {
        foreach (var (file, manager) in Lockfiles)
        {
            if (folder.FileExists(file))
            {
                candidate.PackageManager = manager;
                candidate.Lockfile = file;
                candidate.Evidence.Add(file);
                return;
            }
        }

        if (pyproject?.HasTable("tool.poetry") == true)
        {
            candidate.PackageManager = "poetry";
            candidate.Evidence.Add("pyproject.toml: [tool.poetry]");
        }
        else if (pipfile is not null)
        {
            candidate.PackageManager = "pipenv";
        }
        else if (pyproject?.HasTable("tool.uv") == true)
        {
            candidate.PackageManager = "uv";
            candidate.Evidence.Add("pyproject.toml: [tool.uv]");
        }
        else if (pyproject?.HasTable("tool.pdm") == true)
        {
            candidate.PackageManager = "pdm";
            candidate.Evidence.Add("pyproject.toml: [tool.pdm]");
        }
    }

    private static async Task ReadRequirementsAsync(
        AppFolder folder,
        string file,
        List<(string Name, string Source)> dependencies,
        HashSet<string> visited,
        CancellationToken cancellationToken)
    {
        if (visited.Count >= 10 || !visited.Add(file))
        {
            return;
        }

        var text = await folder.ReadTextAsync(file, cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return;
        }

        var directory = Path.GetDirectoryName(file)?.Replace('\\', '/') ?? string.Empty;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            var comment = line.IndexOf(" #", StringComparison.Ordinal);
            line = comment >= 0 ? line[..comment].Trim() : line;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var include = RequirementInclude().Match(line);
            if (include.Success)
            {
                var included = AppFolder.Resolve(directory, include.Groups[1].Value);
                if (included is not null)
                {
                    await ReadRequirementsAsync(folder, included, dependencies, visited, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            var egg = line.IndexOf("#egg=", StringComparison.Ordinal);
            if (egg >= 0)
            {
                dependencies.Add((NormalizeName(line[(egg + 5)..]), file));
            }
            else if (!line.StartsWith('-') && !line.Contains("://", StringComparison.Ordinal))
            {
                dependencies.Add((NormalizeName(line), file));
            }
        }
    }

    private static IEnumerable<string> SetupPyRequirements(string? setup)
    {
        var start = setup?.IndexOf("install_requires", StringComparison.Ordinal) ?? -1;
        if (setup is null || start < 0)
        {
            return [];
        }

        var open = setup.IndexOf('[', start);
        var close = open < 0 ? -1 : setup.IndexOf(']', open);
        return close < 0 ? [] : TomlDocument.AsStringArray(setup[open..(close + 1)]);
    }

    private static async Task<string?> FindEntryAsync(AppFolder folder, IReadOnlyList<string> candidates, string marker, CancellationToken cancellationToken)
    {
        foreach (var entry in candidates.Where(folder.FileExists))
        {
            var text = await folder.ReadTextAsync(entry, cancellationToken).ConfigureAwait(false);
            if (text?.Contains(marker, StringComparison.Ordinal) == true)
            {
                return entry;
            }
        }

        return folder.FirstExisting(candidates);
    }

    /// <summary>The variable the app object is bound to (<c>api = FastAPI()</c> → "api"); "app" when not found.</summary>
    private static async Task<string> AppVariableAsync(AppFolder folder, string entry, string constructor, CancellationToken cancellationToken)
    {
        var text = await folder.ReadTextAsync(entry, cancellationToken).ConfigureAwait(false) ?? string.Empty;
        var match = Regex.Match(text, $@"^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:\w+\.)?{constructor}\(", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        return match.Success ? match.Groups[1].Value : "app";
    }

    /// <summary>The Django project package (holding wsgi.py): from manage.py's DJANGO_SETTINGS_MODULE, else the first folder with a wsgi.py.</summary>
    private static async Task<string?> FindDjangoProjectAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        var manage = await folder.ReadTextAsync("manage.py", cancellationToken).ConfigureAwait(false);
        var settings = manage is null ? null : DjangoSettings().Match(manage);
        if (settings is { Success: true } && folder.FileExists($"{settings.Groups[1].Value}/wsgi.py"))
        {
            return settings.Groups[1].Value;
        }

        return folder.DirectoriesIn(string.Empty).FirstOrDefault(directory => folder.FileExists($"{directory}/wsgi.py"));
    }

    private static async Task<string?> PythonVersionAsync(AppFolder folder, TomlDocument? pyproject, TomlDocument? pipfile, CancellationToken cancellationToken)
    {
        var pinned = await folder.ReadFirstLineAsync(".python-version", cancellationToken).ConfigureAwait(false);
        if (pinned is not null)
        {
            return pinned;
        }

        var declared = pyproject?.GetString("project", "requires-python")
            ?? pyproject?.GetString("tool.poetry.dependencies", "python")
            ?? pipfile?.GetString("requires", "python_version")
            ?? pipfile?.GetString("requires", "python_full_version");
        if (declared is not null)
        {
            return declared;
        }

        var runtime = await folder.ReadFirstLineAsync("runtime.txt", cancellationToken).ConfigureAwait(false);
        return runtime?.StartsWith("python-", StringComparison.Ordinal) == true ? runtime["python-".Length..] : null;
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")]
    private static partial Regex RequirementName();

    [GeneratedRegex("[-_.]+")]
    private static partial Regex NameSeparators();

    [GeneratedRegex(@"^(?:-r|--requirement)(?:\s+|=)(\S+)$")]
    private static partial Regex RequirementInclude();

    [GeneratedRegex("""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w]*)\.settings""")]
    private static partial Regex DjangoSettings();
}
