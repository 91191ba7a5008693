using DeployMind.Domain.Build;

namespace DeployMind.UnitTests.Build;

/// <summary>Where the port comes from: the app's Dockerfile, its start command, its code, or the framework's default.</summary>
public sealed class LanguageDetectorPortTests
{
    private const string ExpressManifest = """{ "main": "server.js", "scripts": { "start": "node server.js" }, "dependencies": { "express": "4" } }""";

    [Fact]
    public async Task DetectAsync_ExpressListeningOnLiteral_ReadsPortFromListenCall()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const express = require('express');\nconst app = express();\n\napp.get('/', (req, res) => res.send('ok'));\napp.listen(5000);\n");

        var result = await app.DetectAsync();

        Assert.Equal(5000, result.Port);
        Assert.Equal(PortSource.Code, result.PortSource);
        Assert.Equal("server.js:5", result.PortLocation);
        Assert.Contains("port 5000 from server.js:5 (app.listen(5000);)", result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_HttpServerListenWithCallback_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const http = require('http');\nconst server = http.createServer(handler);\nserver.listen(5000, () => console.log('up'));\n");

        var result = await app.DetectAsync();

        Assert.Equal(5000, result.Port);
        Assert.Equal("server.js:3", result.PortLocation);
    }

    [Theory]
    [InlineData("const PORT = process.env.PORT || 5000;\napp.listen(PORT, () => {});\n")]
    [InlineData("const PORT = process.env.PORT ?? '5000';\napp.listen(PORT);\n")]
    [InlineData("app.listen(process.env.PORT || 5000);\n")]
    [InlineData("var port = normalizePort(process.env.PORT || '5000');\nserver.listen(port);\n")]
    public async Task DetectAsync_NodePortEnvDefault_ReadsTheDefault(string code)
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const app = require('express')();\n" + code);

        var result = await app.DetectAsync();

        Assert.Equal(5000, result.Port);
        Assert.Equal(PortSource.Code, result.PortSource);
        Assert.Equal("server.js:2", result.PortLocation);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_NestListenInSourceEntry_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "start:prod": "node dist/main" }, "dependencies": { "@nestjs/core": "10" } }""")
            .Write("src/main.ts", "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3333);\n}\n");

        var result = await app.DetectAsync();

        Assert.Equal(3333, result.Port);
        Assert.Equal("src/main.ts:3", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_NextStartScriptWithPortFlag_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "start": "next start -p 4000" }, "dependencies": { "next": "14" } }""");

        var result = await app.DetectAsync();

        Assert.Equal(4000, result.Port);
        Assert.Equal(PortSource.StartCommand, result.PortSource);
        Assert.Contains("port 4000 from package.json: scripts.start (next start -p 4000)", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_NextWithoutPortFlag_TakesDefaultFromTheEnvironment()
    {
        using var app = new TempAppFolder()
            .Write("package.json", """{ "scripts": { "start": "next start" }, "dependencies": { "next": "14" } }""");

        var result = await app.DetectAsync();

        Assert.Equal(3000, result.Port);
        Assert.Equal(PortSource.Environment, result.PortSource);
        Assert.Contains("port 3000 is Next.js's default, given to the app in PORT (next start reads it)", result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Theory]
    [InlineData("app.run(port=8000)", 6)]
    [InlineData("app.run(host=\"0.0.0.0\", port=8000, debug=False)", 6)]
    [InlineData("app.run(host=os.environ.get(\"HOST\", \"0.0.0.0\"), port=8000)", 6)]
    [InlineData("app.run(\n        host=\"0.0.0.0\",\n        port=8000,\n    )", 8)]
    public async Task DetectAsync_FlaskAppRunWithPort_ReadsPort(string run, int line)
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "flask\n")
            .Write("app.py", "import os\nfrom flask import Flask\napp = Flask(__name__)\n\nif __name__ == \"__main__\":\n    " + run + "\n");

        var result = await app.DetectAsync();

        Assert.Equal("flask", result.Framework);
        Assert.Equal(8000, result.Port);
        Assert.Equal(PortSource.Code, result.PortSource);
        Assert.Equal($"app.py:{line}", result.PortLocation);
        Assert.Equal(1.0, result.Confidence);
    }

    [Theory]
    [InlineData("port = int(os.environ.get(\"PORT\", 8000))\n    app.run(host=\"0.0.0.0\", port=port)", 6)]
    [InlineData("app.run(port=int(os.getenv('PORT', '8000')))", 6)]
    public async Task DetectAsync_PythonPortEnvDefault_ReadsTheDefault(string code, int line)
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "flask\n")
            .Write("app.py", "import os\nfrom flask import Flask\napp = Flask(__name__)\n\nif __name__ == \"__main__\":\n    " + code + "\n");

        var result = await app.DetectAsync();

        Assert.Equal(8000, result.Port);
        Assert.Equal($"app.py:{line}", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_UvicornRunWithPort_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "fastapi\n")
            .Write("main.py", "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n\nif __name__ == \"__main__\":\n    uvicorn.run(app, host=\"0.0.0.0\", port=8001)\n");

        var result = await app.DetectAsync();

        Assert.Equal("fastapi", result.Framework);
        Assert.Equal(8001, result.Port);
        Assert.Equal("main.py:6", result.PortLocation);
    }

    [Theory]
    [InlineData("web: gunicorn mysite.wsgi --bind 0.0.0.0:8001 --workers 3")]
    [InlineData("web: gunicorn mysite.wsgi -b :8001")]
    [InlineData("web: python manage.py runserver 0.0.0.0:8001")]
    public async Task DetectAsync_ProcfileBindLiteral_ReadsPort(string procfile)
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "django\ngunicorn\n")
            .Write("manage.py", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')")
            .Write("mysite/wsgi.py", "")
            .Write("Procfile", procfile + "\n");

        var result = await app.DetectAsync();

        Assert.Equal(8001, result.Port);
        Assert.Equal(PortSource.StartCommand, result.PortSource);
        Assert.Equal("Procfile:1", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_DockerfileExpose_WinsOverTheCode()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "require('express')().listen(process.env.PORT || 5000);\n")
            .Write("Dockerfile", "FROM node:20-slim\nWORKDIR /app\nCOPY . .\n# EXPOSE 9999\nEXPOSE 5050/tcp\nCMD [\"node\", \"server.js\"]\n");

        var result = await app.DetectAsync();

        Assert.Equal(5050, result.Port);
        Assert.Equal(PortSource.Dockerfile, result.PortSource);
        Assert.Equal("Dockerfile:5", result.PortLocation);
        Assert.Contains("port 5050 from Dockerfile:5 (EXPOSE 5050/tcp)", result.Evidence);
        Assert.Contains(result.Evidence, evidence => evidence.Contains("5000", StringComparison.Ordinal) && evidence.Contains("server.js:1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DetectAsync_DockerfileAspNetCoreUrls_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("Shop.csproj", """<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>""")
            .Write("Dockerfile", "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nENV ASPNETCORE_URLS=http://+:5005\nENTRYPOINT [\"dotnet\", \"Shop.dll\"]\n");

        var result = await app.DetectAsync();

        Assert.Equal(5005, result.Port);
        Assert.Equal("Dockerfile:2", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_GoListenAndServeLiteral_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", "module example.com/api\n\ngo 1.22\n")
            .Write("main.go", "package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":9090\", nil)\n}\n");

        var result = await app.DetectAsync();

        Assert.Equal(9090, result.Port);
        Assert.Equal("main.go:6", result.PortLocation);
        Assert.Equal(PortSource.Code, result.PortSource);
    }

    [Fact]
    public async Task DetectAsync_GoGetenvFallback_ReadsTheFallback()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", "module example.com/api\n\ngo 1.22\n")
            .Write("cmd/api/main.go", "package main\n\nfunc main() {\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"9091\"\n\t}\n\thttp.ListenAndServe(\":\"+port, router())\n}\n");

        var result = await app.DetectAsync();

        Assert.Equal(9091, result.Port);
        Assert.Equal("cmd/api/main.go:6", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_GoNumberInAVariableNamedLikePort_IsNotAPort()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", "module example.com/api\n\ngo 1.22\n")
            .Write("main.go", "package main\n\nfunc main() {\n\treport := 42\n\tsupport = \"1234\"\n\thttp.ListenAndServe(addr(), nil)\n}\n");

        var result = await app.DetectAsync();

        Assert.Equal(8080, result.Port);
        Assert.Equal(PortSource.Default, result.PortSource);
        Assert.Equal(0.7, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_GinRunLiteral_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("go.mod", "module example.com/api\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n")
            .Write("main.go", "package main\n\nfunc main() {\n\tr := gin.Default()\n\tr.Run(\":8088\")\n}\n");

        var result = await app.DetectAsync();

        Assert.Equal(8088, result.Port);
    }

    [Fact]
    public async Task DetectAsync_SinatraSetPort_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("Gemfile", "source 'https://rubygems.org'\ngem 'sinatra'\n")
            .Write("app.rb", "require 'sinatra'\nset :bind, '0.0.0.0'\nset :port, 4000\n\nget('/') { 'ok' }\n");

        var result = await app.DetectAsync();

        Assert.Equal("sinatra", result.Framework);
        Assert.Equal(4000, result.Port);
        Assert.Equal("app.rb:3", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_RailsPumaConfig_ReadsPortDefault()
    {
        using var app = new TempAppFolder()
            .Write("Gemfile", "gem \"rails\", \"~> 7.1\"\ngem \"puma\"\n")
            .Write("config.ru", "run Rails.application")
            .Write("config/puma.rb", "threads 5, 5\nport ENV.fetch(\"PORT\") { 3001 }\nenvironment ENV.fetch(\"RAILS_ENV\") { \"development\" }\n");

        var result = await app.DetectAsync();

        Assert.Equal(3001, result.Port);
        Assert.Equal("config/puma.rb:2", result.PortLocation);
    }

    [Theory]
    [InlineData("src/main/resources/application.properties", "spring.application.name=shop\nserver.port=8081\n", 2)]
    [InlineData("src/main/resources/application.properties", "server.port=${PORT:8081}\n", 1)]
    [InlineData("src/main/resources/application.properties", "server.port=${SERVER_PORT:8081}\n", 1)]
    [InlineData("src/main/resources/application.yml", "spring:\n  application:\n    name: shop\nserver:\n  shutdown: graceful\n  port: 8081\n", 6)]
    public async Task DetectAsync_SpringServerPort_ReadsPort(string file, string content, int line)
    {
        using var app = new TempAppFolder()
            .Write("pom.xml", """
                <project>
                  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>
                  <artifactId>shop</artifactId>
                </project>
                """)
            .Write(file, content);

        var result = await app.DetectAsync();

        Assert.Equal("spring-boot", result.Framework);
        Assert.Equal(8081, result.Port);
        Assert.Equal($"{file}:{line}", result.PortLocation);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_AspNetCoreUseUrls_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("Shop.csproj", """<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>""")
            .Write("Program.cs", "var builder = WebApplication.CreateBuilder(args);\nbuilder.WebHost.UseUrls(\"http://*:5005\");\nvar app = builder.Build();\napp.Run();\n");

        var result = await app.DetectAsync();

        Assert.Equal(5005, result.Port);
        Assert.Equal("Program.cs:2", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_AspNetCoreLaunchSettings_ReadsHttpApplicationUrl()
    {
        using var app = new TempAppFolder()
            .Write("Shop.csproj", """<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>""")
            .Write("Program.cs", "var app = WebApplication.CreateBuilder(args).Build();\napp.Run();\n")
            .Write("Properties/launchSettings.json", """
                {
                  "profiles": {
                    "http": {
                      "commandName": "Project",
                      "applicationUrl": "https://localhost:7001;http://localhost:5006"
                    }
                  }
                }
                """);

        var result = await app.DetectAsync();

        Assert.Equal(5006, result.Port);
        Assert.Equal("Properties/launchSettings.json:5", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_NoPortInTheCode_SaysDefaultAndLowersConfidence()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const config = require('./config.json');\nrequire('express')().listen(config.port);\n");

        var result = await app.DetectAsync();

        Assert.Equal(3000, result.Port);
        Assert.Equal(PortSource.Default, result.PortSource);
        Assert.Null(result.PortLocation);
        Assert.Contains("port 3000 is Express's default (not found in the code)", result.Evidence);
        Assert.Equal(0.7, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_CodeReadsPortWithoutDefault_TakesDefaultFromTheEnvironmentWithoutLoweringConfidence()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const app = require('express')();\napp.listen(process.env.PORT);\n");

        var result = await app.DetectAsync();

        Assert.Equal(3000, result.Port);
        Assert.Equal(PortSource.Environment, result.PortSource);
        Assert.Equal("server.js:2", result.PortLocation);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_StartCommandPassesPort_TakesDefaultFromTheEnvironment()
    {
        using var app = new TempAppFolder()
            .Write("requirements.txt", "django\ngunicorn\n")
            .Write("manage.py", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')")
            .Write("mysite/wsgi.py", "");

        var result = await app.DetectAsync();

        Assert.Equal(8000, result.Port);
        Assert.Equal(PortSource.Environment, result.PortSource);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_SeveralLiteralPorts_PrefersEntryListenAndNamesTheOthers()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const app = require('./app');\nconst metrics = 9100;\napp.listen(5000);\n")
            .Write("app.js", "const app = require('express')();\nmodule.exports = app;\nif (require.main === module) app.listen(4000);\n");

        var result = await app.DetectAsync();

        Assert.Equal(5000, result.Port);
        Assert.Equal("server.js:3", result.PortLocation);
        Assert.Contains(result.Evidence, evidence => evidence.Contains("4000", StringComparison.Ordinal) && evidence.Contains("app.js:3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DetectAsync_CommentedOutListen_IsIgnored()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "const app = require('express')();\n// app.listen(4000);\napp.listen(5000);\n");

        var result = await app.DetectAsync();

        Assert.Equal(5000, result.Port);
        Assert.Equal("server.js:3", result.PortLocation);
    }

    [Fact]
    public async Task DetectAsync_DotEnvFile_IsNeverRead()
    {
        using var app = new TempAppFolder()
            .Write("package.json", ExpressManifest)
            .Write("server.js", "require('express')().listen(config.port);\n")
            .Write(".env", "PORT=5000\n")
            .Write(".env.example", "PORT=5000\n");

        var result = await app.DetectAsync();

        Assert.Equal(3000, result.Port);
        Assert.Equal(PortSource.Default, result.PortSource);
        Assert.DoesNotContain(result.Evidence, evidence => evidence.Contains(".env", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DetectAsync_LooseFilesWithListen_ReadsPort()
    {
        using var app = new TempAppFolder()
            .Write("app.py", "from flask import Flask\napp = Flask(__name__)\napp.run(port=8000)\n");

        var result = await app.DetectAsync();

        Assert.Equal(8000, result.Port);
        Assert.Equal(0.6, result.Confidence);
    }
}
