using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    // With pip, the virtualenv is created without pip (about 15 MB the runtime would carry for nothing) and the build
    // stage's pip installs into it through --python (pip 22.3+), which must come before the subcommand. Poetry,
    // pipenv and uv manage the environment themselves and get a regular one.
    private const string VenvPip = "pip --python /opt/venv/bin/python";

    private const string PipCache = "/root/.cache/pip";

    private void WritePython(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var python = image(BaseImageCatalog.Python);
        w.Blank().Comment("Build stage: dependencies installed into a virtualenv that the runtime stage copies.")
            .Line($"FROM {python} AS build")
            .Line(w.CacheMounts ? "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 VIRTUAL_ENV=/opt/venv" : "ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 VIRTUAL_ENV=/opt/venv")
            .Line("WORKDIR /app")
            .Run(d.PackageManager == "pip" ? "python -m venv --without-pip /opt/venv" : "python -m venv /opt/venv");

        // With BuildKit pip's cache lives in a cache mount (never in the image); without, pip keeps none.
        var noCache = w.CacheMounts ? string.Empty : "--no-cache-dir ";
        var requirements = Fact(d, DetectionFacts.RequirementsFile, HasEvidence(d, "requirements.txt") ? "requirements.txt" : string.Empty);
        switch (d.PackageManager)
        {
            case "poetry":
                w.Line(d.Lockfile is null ? "COPY pyproject.toml ./" : $"COPY pyproject.toml {d.Lockfile} ./")
                    .RunCached([PipCache, "/root/.cache/pypoetry"], $"pip install {noCache}poetry==1.8.3",
                        "POETRY_VIRTUALENVS_CREATE=false poetry install --only main --no-root --no-interaction");
                break;
            case "uv":
                w.Line(d.Lockfile is null ? "COPY pyproject.toml ./" : $"COPY pyproject.toml {d.Lockfile} ./")
                    .RunCached([PipCache, "/root/.cache/uv"], $"pip install {noCache}uv==0.4.30",
                        // uv links from its cache by default; a cache mount is another filesystem, so it copies.
                        $"{(w.CacheMounts ? "UV_LINK_MODE=copy " : string.Empty)}UV_PROJECT_ENVIRONMENT=/opt/venv uv sync --frozen --no-dev --no-install-project");
                break;
            case "pipenv":
                w.Line(d.Lockfile is null ? "COPY Pipfile ./" : $"COPY Pipfile {d.Lockfile} ./")
                    .RunCached([PipCache], $"pip install {noCache}pipenv==2024.0.1",
                        "pipenv requirements > /tmp/requirements.txt",
                        $"{VenvPip} install {noCache}-r /tmp/requirements.txt");
                break;
            default:
                if (requirements.Length > 0)
                {
                    w.Line($"COPY {requirements} ./")
                        .RunCached([PipCache], $"{VenvPip} install {noCache}-r {requirements}");
                }
                else if (HasEvidence(d, "pyproject.toml") || HasEvidence(d, "setup.py"))
                {
                    // No lock or requirements file: the project itself declares its dependencies, so the
                    // sources are needed to install it.
                    w.Line("COPY . .")
                        .RunCached([PipCache], $"{VenvPip} install {noCache}.");
                }

                break;
        }

        w.Blank().Comment("Runtime stage: the virtualenv and the sources, run by an unprivileged user.")
            .Line($"FROM {python}")
            .Line($"ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH PORT={d.Port}")
            .Run("useradd --create-home --uid 10001 --user-group app")
            .Line("WORKDIR /app")
            .Line("COPY --from=build /opt/venv /opt/venv")
            .Line("COPY --chown=app:app . .")
            .Line("USER app")
            .Line($"EXPOSE {d.Port}");
        if (HealthCheckPath is { } path)
        {
            var probe = "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '"
                + d.Port + "') + '" + path + "', timeout=3)";
            w.Line("HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \\")
                .Line("    CMD " + DockerfileWriter.ToJsonArray(["python", "-c", probe]));
        }

        w.Exec("CMD", CommandArguments(d.StartCommand));
    }
}
