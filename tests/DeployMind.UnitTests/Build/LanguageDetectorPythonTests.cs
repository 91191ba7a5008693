using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorPythonTests
{
    [Fact]
    public async Task DetectAsync_FlaskRequirements_DetectsFlaskOnPort5000()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "# web\nFlask==3.0.3  # pinned\nrequests>=2\n")
            .Write("app.py", "from flask import Flask\napp = Flask(__name__)\n");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Python, result.Language);
        Assert.Equal("flask", result.Framework);
        Assert.Equal("app.py", result.EntryPoint);
        Assert.Equal("python app.py", result.StartCommand);
        Assert.Equal(5000, result.Port);
        Assert.Equal("pip", result.PackageManager);
        Assert.Null(result.Lockfile);
        Assert.Equal("requirements.txt", result.Facts[DetectionFacts.RequirementsFile]);
        Assert.Equal(["requirements.txt", "requirements.txt: dependency flask", "port 5000 is Flask's default (not found in the code)"], result.Evidence);
        Assert.Equal(0.7, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_FlaskWithGunicorn_ServesWithGunicorn()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "flask\ngunicorn==22.0.0\n")
            .Write("app.py", "from flask import Flask\napp = Flask(__name__)\n");

        var result = await app.DetectAsync();

        Assert.Equal("gunicorn app:app --bind 0.0.0.0:$PORT", result.StartCommand);
        Assert.Equal(5000, result.Port);
        Assert.Contains("requirements.txt: dependency gunicorn", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_FlaskAppBoundToOtherName_UsesThatVariable()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "flask\ngunicorn\n")
            .Write("wsgi.py", "import flask\napplication = flask.Flask(__name__)\n");

        var result = await app.DetectAsync();

        Assert.Equal("wsgi.py", result.EntryPoint);
        Assert.Equal("gunicorn wsgi:application --bind 0.0.0.0:$PORT", result.StartCommand);
        Assert.Equal("wsgi:application", result.Facts[DetectionFacts.PythonAppModule]);
    }

    [Fact]
    public async Task DetectAsync_FastApiWithUvicorn_ServesWithUvicorn()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "fastapi==0.111.0\nuvicorn[standard]>=0.29\n")
            .Write("main.py", "from fastapi import FastAPI\napp = FastAPI()\n");

        var result = await app.DetectAsync();

        Assert.Equal("fastapi", result.Framework);
        Assert.Equal("main.py", result.EntryPoint);
        Assert.Equal("uvicorn main:app --host 0.0.0.0 --port $PORT", result.StartCommand);
        Assert.Equal(8000, result.Port);
        Assert.Contains("requirements.txt: dependency fastapi", result.Evidence);
        Assert.Contains("requirements.txt: dependency uvicorn", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_FastApiInPackage_UsesModulePath()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "fastapi\nuvicorn\n")
            .Write("app/__init__.py", "")
            .Write("app/main.py", "from fastapi import FastAPI\napi: FastAPI = FastAPI()\n");

        var result = await app.DetectAsync();

        Assert.Equal("app/main.py", result.EntryPoint);
        Assert.Equal("uvicorn app.main:api --host 0.0.0.0 --port $PORT", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_FastApiWithoutUvicorn_RunsEntryWithPython()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "fastapi\n")
            .Write("main.py", "");

        var result = await app.DetectAsync();

        Assert.Equal("python main.py", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_DjangoWithoutGunicorn_UsesRunserver()
    {
        using var app = DjangoApp("Django>=5.0\n");

        var result = await app.DetectAsync();

        Assert.Equal("django", result.Framework);
        Assert.Equal("manage.py", result.EntryPoint);
        Assert.Equal("python manage.py runserver 0.0.0.0:$PORT", result.StartCommand);
        Assert.Equal(8000, result.Port);
        Assert.Equal("mysite", result.Facts[DetectionFacts.PythonProject]);
        Assert.Contains("requirements.txt: dependency django", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_DjangoWithGunicorn_ServesProjectWsgi()
    {
        using var app = DjangoApp("django\ngunicorn\npsycopg[binary]\n");

        var result = await app.DetectAsync();

        Assert.Equal("gunicorn mysite.wsgi --bind 0.0.0.0:$PORT", result.StartCommand);
        Assert.Contains("mysite/wsgi.py", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_Tornado_DetectsTornado()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "tornado==6.4\n")
            .Write("server.py", "import tornado.web\n");

        var result = await app.DetectAsync();

        Assert.Equal("tornado", result.Framework);
        Assert.Equal("python server.py", result.StartCommand);
        Assert.Equal(8000, result.Port);
    }

    [Fact]
    public async Task DetectAsync_PoetryLockWithoutRequirements_DetectsPoetryAndFrameworkFromToolPoetry()
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", """
                [tool.poetry]
                name = "api"
                version = "0.1.0"

                [tool.poetry.dependencies]
                python = "^3.12"
                Flask = { version = "^3.0", extras = ["async"] }
                gunicorn = "^22.0"

                [tool.poetry.group.dev.dependencies]
                pytest = "^8"

                [build-system]
                requires = ["poetry-core"]
                """)
            .Write("poetry.lock", "# lock")
            .Write("app.py", "from flask import Flask\napp = Flask(__name__)\n");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Python, result.Language);
        Assert.Equal("poetry", result.PackageManager);
        Assert.Equal("poetry.lock", result.Lockfile);
        Assert.Equal("flask", result.Framework);
        Assert.Equal("gunicorn app:app --bind 0.0.0.0:$PORT", result.StartCommand);
        Assert.Equal("^3.12", result.Facts[DetectionFacts.PythonVersion]);
        Assert.Contains("pyproject.toml", result.Evidence);
        Assert.Contains("poetry.lock", result.Evidence);
        Assert.Contains("pyproject.toml: dependency flask", result.Evidence);
        Assert.False(result.Facts.ContainsKey(DetectionFacts.RequirementsFile));
    }

    [Fact]
    public async Task DetectAsync_PoetryLockWithProjectDependencies_DetectsFrameworkFromProjectTable()
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", """
                [project]
                name = "api"
                requires-python = ">=3.11"
                dependencies = [
                    "fastapi (>=0.110,<1.0)",  # web
                    # "django" is commented out
                    'uvicorn[standard]>=0.29',
                ]
                """)
            .Write("poetry.lock", "")
            .Write("main.py", "from fastapi import FastAPI\napp = FastAPI()\n");

        var result = await app.DetectAsync();

        Assert.Equal("poetry", result.PackageManager);
        Assert.Equal("fastapi", result.Framework);
        Assert.Equal("uvicorn main:app --host 0.0.0.0 --port $PORT", result.StartCommand);
        Assert.Equal(">=3.11", result.Facts[DetectionFacts.PythonVersion]);
    }

    [Theory]
    [InlineData("Pipfile.lock", "pipenv")]
    [InlineData("uv.lock", "uv")]
    [InlineData("pdm.lock", "pdm")]
    [InlineData("poetry.lock", "poetry")]
    public async Task DetectAsync_PythonLockfile_DetectsPackageManager(string lockfile, string packageManager)
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", "[project]\nname = \"svc\"\ndependencies = [\"flask>=3\"]\n")
            .Write(lockfile, "{}")
            .Write("app.py", "");

        var result = await app.DetectAsync();

        Assert.Equal(packageManager, result.PackageManager);
        Assert.Equal(lockfile, result.Lockfile);
        Assert.Contains(lockfile, result.Evidence);
        Assert.Equal("flask", result.Framework);
    }

    [Fact]
    public async Task DetectAsync_PipfileWithoutLock_DetectsPipenvAndFramework()
    {
        using var app = new TempAppFolder()
            .Write("Pipfile", """
                [[source]]
                url = "https://pypi.org/simple"

                [packages]
                django = "*"

                [requires]
                python_version = "3.12"
                """)
            .Write("manage.py", "");

        var result = await app.DetectAsync();

        Assert.Equal("pipenv", result.PackageManager);
        Assert.Null(result.Lockfile);
        Assert.Equal("django", result.Framework);
        Assert.Equal("3.12", result.Facts[DetectionFacts.PythonVersion]);
        Assert.Contains("Pipfile: dependency django", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_ToolPoetryWithoutLock_DetectsPoetryWithoutLockfile()
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.12\"\ntornado = \"*\"\n")
            .Write("main.py", "");

        var result = await app.DetectAsync();

        Assert.Equal("poetry", result.PackageManager);
        Assert.Null(result.Lockfile);
        Assert.Equal("tornado", result.Framework);
    }

    [Fact]
    public async Task DetectAsync_ToolUvWithoutLock_DetectsUv()
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.uv]\ndev-dependencies = []\n")
            .Write("main.py", "");

        var result = await app.DetectAsync();

        Assert.Equal("uv", result.PackageManager);
        Assert.Null(result.Framework);
        Assert.Equal("python main.py", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_RequirementsIncludesBase_FollowsInclude()
    {
        using var app = new TempAppFolder()
            .Write("requirements/prod.txt", "-r base.txt\ngunicorn\n")
            .Write("requirements/base.txt", "Django==5.0\n")
            .Write("manage.py", "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.production\")\n")
            .Write("config/wsgi.py", "");

        var result = await app.DetectAsync();

        Assert.Equal("django", result.Framework);
        Assert.Equal("requirements/prod.txt", result.Facts[DetectionFacts.RequirementsFile]);
        Assert.Equal("gunicorn config.wsgi --bind 0.0.0.0:$PORT", result.StartCommand);
        Assert.Contains("requirements/base.txt: dependency django", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_PythonVersionFile_WinsOverRequiresPython()
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", "[project]\nrequires-python = \">=3.10\"\n")
            .Write(".python-version", "3.12.3\n")
            .Write("main.py", "serve(app, port=8000)\n");

        var result = await app.DetectAsync();

        Assert.Equal("3.12.3", result.Facts[DetectionFacts.PythonVersion]);
        Assert.Equal("pip", result.PackageManager);
        Assert.Equal(0.9, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_NoEntryButProjectScript_StartsScript()
    {
        using var app = new TempAppFolder()
            .Write("pyproject.toml", "[project]\nname = \"worker\"\n\n[project.scripts]\nworker-serve = \"worker.cli:main\"\n")
            .Write("uv.lock", "");

        var result = await app.DetectAsync();

        Assert.Null(result.EntryPoint);
        Assert.Equal("worker-serve", result.StartCommand);
    }

    [Fact]
    public async Task DetectAsync_SetupPyInstallRequires_DetectsFramework()
    {
        using var app = new TempAppFolder()
            .Write("setup.py", "from setuptools import setup\nsetup(name='x', install_requires=['Flask>=2', \"click\"])\n")
            .Write("app.py", "");

        var result = await app.DetectAsync();

        Assert.Equal("flask", result.Framework);
        Assert.Contains("setup.py: dependency flask", result.Evidence);
    }

    private static TempAppFolder DjangoApp(string requirements) =>
        new TempAppFolder()
            .Write("requirements.txt", requirements)
            .Write("manage.py", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\nfrom django.core.management import execute_from_command_line\n")
            .Write("mysite/__init__.py", "")
            .Write("mysite/settings.py", "")
            .Write("mysite/wsgi.py", "");
}
