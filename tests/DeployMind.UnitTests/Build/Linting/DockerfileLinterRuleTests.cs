using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;
using static DeployMind.UnitTests.Build.Linting.LintTestHelpers;

namespace DeployMind.UnitTests.Build.Linting;

/// <summary>Every rule: one Dockerfile where it fires (with the exact line) and the corrected one where it does not.</summary>
public sealed class DockerfileLinterRuleTests
{
    // ---- DM001 base image pinned -------------------------------------------------------------

    [Fact]
    public void Lint_FromWithoutTag_FiresDm001OnThatFromLine()
    {
        var finding = Fires("DM001", """
            FROM node:22-bookworm-slim AS build
            WORKDIR /app
            RUN npm ci
            FROM nginx
            COPY --from=build /app/dist /usr/share/nginx/html
            """);

        Assert.Equal(4, finding.Line);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Equal(LintCategory.Reproducibility, finding.Category);
        Assert.Contains("FROM nginx", finding.Message, StringComparison.Ordinal);
        Assert.Contains("FROM nginx:1.27-alpine", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_FromLatestTag_FiresDm001()
    {
        var finding = Fires("DM001", """
            # syntax=docker/dockerfile:1
            FROM python:latest
            USER 10001
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("latest", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_FromArgWithUntaggedDefault_FiresDm001()
    {
        var finding = Fires("DM001", """
            ARG BASE=alpine
            FROM ${BASE}
            USER 10001
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("alpine", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM node:22.11.0-bookworm-slim\nUSER node\n")]
    [InlineData("FROM node@sha256:0c5b4b3dbd1a0a8bd7b2a1bd6d2f6f1cb6a1f1a2e1a3f4b5c6d7e8f9a0b1c2d3\nUSER node\n")]
    [InlineData("FROM registry.example.com:5000/team/api:1.4.2\nUSER 10001\n")]
    [InlineData("FROM golang:1.23 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nUSER 10001\n")]
    [InlineData("FROM node:22-slim AS base\nFROM base AS final\nUSER node\n")]
    [InlineData("ARG BASE\nFROM ${BASE}\nUSER 10001\n")]
    [InlineData("ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-slim\nUSER node\n")]
    public void Lint_PinnedOrUnknowableBaseImage_DoesNotFireDm001(string dockerfile) => DoesNotFire("DM001", dockerfile);

    // ---- DM002 non-root user -----------------------------------------------------------------

    [Fact]
    public void Lint_FinalStageWithoutUser_FiresDm002OnFinalFrom()
    {
        var finding = Fires("DM002", """
            FROM node:22-bookworm-slim AS build
            WORKDIR /app
            USER node
            RUN npm ci && npm run build
            FROM node:22-bookworm-slim
            COPY --from=build /app/dist /app
            CMD ["node", "/app/server.js"]
            """);

        Assert.Equal(5, finding.Line);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal(LintCategory.Security, finding.Category);
        Assert.Contains("never sets USER", finding.Message, StringComparison.Ordinal);
        Assert.Contains("USER node", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_LastUserIsRoot_FiresDm002OnThatUserLine()
    {
        var finding = Fires("DM002", """
            FROM debian:bookworm-slim
            RUN useradd --system --uid 10001 app
            USER app
            COPY app /app
            USER 0:0
            CMD ["/app"]
            """);

        Assert.Equal(5, finding.Line);
        Assert.Contains("USER 0:0", finding.Message, StringComparison.Ordinal);
        Assert.Contains("useradd", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM debian:bookworm-slim\nUSER root\nRUN useradd app\nUSER app\nCMD [\"/app\"]\n")]
    [InlineData("FROM golang:1.23 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /app /app\n")]
    [InlineData("FROM cgr.dev/example/python-nonroot:3.12\nCOPY app.py /app.py\n")]
    [InlineData("FROM gcr.io/distroless/nodejs22-debian12:debug-nonroot\nCOPY . /app\n")]
    [InlineData("FROM node:22-slim AS base\nUSER node\nFROM base AS final\nCOPY . /app\n")]
    [InlineData("FROM debian:bookworm-slim\nUSER ${APP_UID}\n")]
    public void Lint_NonRootFinalStage_DoesNotFireDm002(string dockerfile) => DoesNotFire("DM002", dockerfile);

    // ---- DM003 multi-stage -------------------------------------------------------------------

    [Fact]
    public void Lint_SingleStageThatInstalls_FiresDm003OnFirstLineOfContinuedRun()
    {
        var finding = Fires("DM003", """
            FROM python:3.12-slim
            WORKDIR /app
            COPY requirements.txt .
            RUN pip install --no-cache-dir \
                -r requirements.txt
            COPY . .
            USER 10001
            CMD ["gunicorn", "app:app"]
            """);

        Assert.Equal(4, finding.Line);
        Assert.Contains("pip install", finding.Message, StringComparison.Ordinal);
        Assert.Contains("AS build", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM node:22-slim AS build\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app /app\nUSER node\n")]
    [InlineData("FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\nRUN nginx -t\n")]
    public void Lint_MultiStageOrNothingToBuild_DoesNotFireDm003(string dockerfile) => DoesNotFire("DM003", dockerfile);

    // ---- DM004 .dockerignore -----------------------------------------------------------------

    [Fact]
    public void Lint_NoDockerignore_FiresDm004OnFirstContextCopy()
    {
        const string Dockerfile = """
            FROM nginx:1.27-alpine
            WORKDIR /usr/share/nginx/html
            COPY . .
            """;

        var finding = Fires("DM004", Dockerfile, hasDockerignore: false);

        Assert.Equal(3, finding.Line);
        Assert.Contains(".git", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(null)]
    public void Lint_DockerignorePresentOrUnknown_DoesNotFireDm004(bool? hasDockerignore) =>
        DoesNotFire("DM004", "FROM nginx:1.27-alpine\nCOPY . /usr/share/nginx/html\n", hasDockerignore);

    // ---- DM005 COPY order --------------------------------------------------------------------

    [Fact]
    public void Lint_CopyAllBeforeNpmCi_FiresDm005OnTheCopy()
    {
        var finding = Fires("DM005", """
            FROM node:22-bookworm-slim
            WORKDIR /app
            COPY . .
            RUN npm ci --omit=dev
            USER node
            CMD ["node", "server.js"]
            """);

        Assert.Equal(3, finding.Line);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Equal(LintCategory.Cache, finding.Category);
        Assert.Contains("npm ci", finding.Message, StringComparison.Ordinal);
        Assert.Contains("COPY package.json package-lock.json ./", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RUN pip install --no-cache-dir -r requirements.txt", "COPY requirements.txt ./")]
    [InlineData("RUN go mod download", "COPY go.mod go.sum ./")]
    [InlineData("RUN bundle install", "COPY Gemfile Gemfile.lock ./")]
    [InlineData("RUN composer install --no-dev", "COPY composer.json composer.lock ./")]
    [InlineData("RUN mvn -B dependency:go-offline", "COPY pom.xml ./")]
    [InlineData("RUN cargo fetch", "COPY Cargo.toml Cargo.lock ./")]
    public void Lint_CopyAllBeforeOtherDependencyInstalls_FiresDm005(string install, string expectedFix)
    {
        var finding = Fires("DM005", $"FROM debian:bookworm-slim\nWORKDIR /src\nCOPY ./ /src\n{install}\n");

        Assert.Equal(3, finding.Line);
        Assert.Contains(expectedFix, finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ManifestsCopiedBeforeInstall_DoesNotFireDm005() => DoesNotFire("DM005", """
        FROM node:22-bookworm-slim
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN npm ci --omit=dev
        COPY . .
        RUN npm run build
        USER node
        """);

    // ---- DM006 apt lists ---------------------------------------------------------------------

    [Fact]
    public void Lint_AptGetWithoutListCleanup_FiresDm006OnRunLine()
    {
        var finding = Fires("DM006", """
            FROM debian:bookworm-slim
            RUN apt-get update \
             && apt-get install -y --no-install-recommends curl
            USER 10001
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM debian:bookworm-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n")]
    [InlineData("FROM debian:bookworm-slim\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl\n")]
    [InlineData("FROM debian:bookworm-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nFROM debian:bookworm-slim\nCOPY --from=build /out /out\n")]
    public void Lint_AptListsRemovedOrNotShipped_DoesNotFireDm006(string dockerfile) => DoesNotFire("DM006", dockerfile);

    // ---- DM007 pip --no-cache-dir -----------------------------------------------------------

    [Fact]
    public void Lint_PipInstallWithoutNoCacheDir_FiresDm007NamingPackages()
    {
        var finding = Fires("DM007", """
            FROM python:3.12-slim
            WORKDIR /app
            RUN pip install --upgrade pip
            USER 10001
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("pip install pip", finding.Message, StringComparison.Ordinal);
        Assert.Contains("pip install --no-cache-dir pip", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_PythonMPipWithRequirements_FiresDm007()
    {
        var finding = Fires("DM007", "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN python3 -m pip install -r requirements.txt\n");

        Assert.Equal(3, finding.Line);
        Assert.Contains("-r requirements.txt", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_PipGeneralOptionBeforeInstall_FiresDm007()
    {
        var finding = Fires("DM007", "FROM python:3.12-slim\nRUN python -m venv --without-pip /opt/venv\nRUN pip --python /opt/venv/bin/python install flask==3.0.3\n");

        Assert.Equal(3, finding.Line);
    }

    [Fact]
    public void Lint_PipGeneralOptionBeforeInstall_CopyAllFirst_FiresDm005()
    {
        var finding = Fires("DM005", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip --python /opt/venv/bin/python install --no-cache-dir -r requirements.txt\n");

        Assert.Equal(3, finding.Line);
    }

    [Theory]
    [InlineData("FROM python:3.12-slim\nRUN pip --python /opt/venv/bin/python install --no-cache-dir flask==3.0.3\n")]
    [InlineData("FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n")]
    [InlineData("FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.3\n")]
    [InlineData("FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3\n")]
    [InlineData("FROM python:3.12-slim AS build\nRUN pip install flask\nFROM python:3.12-slim\nCOPY --from=build /usr/local /usr/local\n")]
    public void Lint_PipCacheDisabledOrNotShipped_DoesNotFireDm007(string dockerfile) => DoesNotFire("DM007", dockerfile);

    // ---- DM008 apt-get -y --------------------------------------------------------------------

    [Fact]
    public void Lint_AptGetInstallWithoutYes_FiresDm008NamingPackages()
    {
        var finding = Fires("DM008", """
            FROM ubuntu:24.04
            ENV DEBIAN_FRONTEND=noninteractive
            RUN apt-get update && apt-get install --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("curl ca-certificates", finding.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y --no-install-recommends curl ca-certificates", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-y")]
    [InlineData("--yes")]
    [InlineData("-qq")]
    [InlineData("-qy")]
    [InlineData("--assume-yes")]
    public void Lint_AptGetInstallWithYes_DoesNotFireDm008(string yes) =>
        DoesNotFire("DM008", $"FROM ubuntu:24.04\nRUN apt-get update && apt-get install {yes} --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n");

    // ---- DM009 --no-install-recommends ------------------------------------------------------

    [Fact]
    public void Lint_AptGetInstallWithRecommends_FiresDm009()
    {
        var finding = Fires("DM009", """
            FROM debian:bookworm-slim
            RUN apt-get update \
             && apt-get install -y python3 \
             && rm -rf /var/lib/apt/lists/*
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("python3", finding.Message, StringComparison.Ordinal);
        Assert.Contains("--no-install-recommends python3", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_AptGetInstallNoRecommends_DoesNotFireDm009() =>
        DoesNotFire("DM009", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\n");

    // ---- DM010 apt-get upgrade ---------------------------------------------------------------

    [Fact]
    public void Lint_AptGetDistUpgrade_FiresDm010()
    {
        var finding = Fires("DM010", """
            FROM debian:bookworm-slim
            RUN apt-get update \
             && apt-get dist-upgrade -y \
             && rm -rf /var/lib/apt/lists/*
            """);

        Assert.Equal(2, finding.Line);
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Contains("apt-get dist-upgrade", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_AptGetWithoutUpgrade_DoesNotFireDm010() =>
        DoesNotFire("DM010", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends --only-upgrade openssl && rm -rf /var/lib/apt/lists/*\n");

    // ---- DM011 apt vs apt-get ----------------------------------------------------------------

    [Fact]
    public void Lint_AptInstall_FiresDm011()
    {
        var finding = Fires("DM011", """
            FROM ubuntu:24.04
            WORKDIR /app
            RUN apt update && apt install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("apt-get", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_AptGetInstall_DoesNotFireDm011() =>
        DoesNotFire("DM011", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n");

    // ---- DM012 apk --no-cache ---------------------------------------------------------------

    [Fact]
    public void Lint_ApkAddWithoutNoCache_FiresDm012NamingPackages()
    {
        var finding = Fires("DM012", """
            FROM alpine:3.20
            RUN apk update && \
                apk add --virtual .deps curl tini
            USER 10001
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("curl tini", finding.Message, StringComparison.Ordinal);
        Assert.Contains("apk add --no-cache curl tini", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM alpine:3.20\nRUN apk add --no-cache curl\n")]
    [InlineData("FROM alpine:3.20\nRUN apk add curl && rm -rf /var/cache/apk/*\n")]
    public void Lint_ApkAddWithoutCache_DoesNotFireDm012(string dockerfile) => DoesNotFire("DM012", dockerfile);

    // ---- DM013 ADD vs COPY -------------------------------------------------------------------

    [Fact]
    public void Lint_AddLocalFiles_FiresDm013WithCopyFix()
    {
        var finding = Fires("DM013", """
            FROM nginx:1.27-alpine
            ADD --chown=nginx:nginx site/ /usr/share/nginx/html/
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("site/", finding.Message, StringComparison.Ordinal);
        Assert.Equal("Write COPY --chown=nginx:nginx site/ /usr/share/nginx/html/", finding.Fix);
    }

    [Theory]
    [InlineData("ADD https://example.com/tool.tar.gz /opt/")]
    [InlineData("ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2015d0c5a5d1d1de https://example.com/app.jar /app.jar")]
    [InlineData("ADD rootfs.tar.xz /")]
    [InlineData("ADD git@github.com:moby/buildkit.git /src")]
    [InlineData("COPY site/ /usr/share/nginx/html/")]
    public void Lint_AddForUrlsAndArchives_DoesNotFireDm013(string line) => DoesNotFire("DM013", $"FROM alpine:3.20\n{line}\n");

    // ---- DM014 cd ----------------------------------------------------------------------------

    [Fact]
    public void Lint_RunCd_FiresDm014WithWorkdirFix()
    {
        var finding = Fires("DM014", """
            FROM golang:1.23
            COPY . /src
            RUN cd /src && go build -o /out/app ./cmd/app
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("cd /src", finding.Message, StringComparison.Ordinal);
        Assert.Contains("WORKDIR /src", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app ./cmd/app\n")]
    [InlineData("FROM golang:1.23\nRUN (cd /tmp && tar xzf x.tgz) && make\n")]
    public void Lint_WorkdirOrSubshellCd_DoesNotFireDm014(string dockerfile) => DoesNotFire("DM014", dockerfile);

    // ---- DM015 exec form ---------------------------------------------------------------------

    [Fact]
    public void Lint_ShellFormCmd_FiresDm015WithJsonFix()
    {
        var finding = Fires("DM015", """
            FROM node:22-slim
            USER node
            CMD node server.js --port 3000
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("CMD", finding.Message, StringComparison.Ordinal);
        Assert.Contains("CMD [\"node\", \"server.js\", \"--port\", \"3000\"]", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ShellFormEntrypointWithVariable_FiresDm015WithExecShellFix()
    {
        var finding = Fires("DM015", """
            FROM python:3.12-slim
            USER 10001
            ENTRYPOINT gunicorn --bind 0.0.0.0:$PORT app:app
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("ENTRYPOINT [\"sh\", \"-c\", \"exec gunicorn --bind 0.0.0.0:$PORT app:app\"]", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ExecFormCmdAndEntrypoint_DoesNotFireDm015() =>
        DoesNotFire("DM015", "FROM node:22-slim\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\", \"server.js\"]\nHEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\n");

    // ---- DM016 pipefail ----------------------------------------------------------------------

    [Fact]
    public void Lint_PipeWithoutPipefail_FiresDm016()
    {
        var finding = Fires("DM016", """
            FROM debian:bookworm-slim
            WORKDIR /opt
            RUN wget -qO- https://example.com/tool.tar.gz \
                | tar xz
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("'wget' into 'tar'", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FROM debian:bookworm-slim\nRUN set -euo pipefail && wget -qO- https://example.com/t.tgz | tar xz\n")]
    [InlineData("FROM debian:bookworm-slim\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -qO- https://example.com/t.tgz | tar xz\n")]
    [InlineData("FROM debian:bookworm-slim AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN wget -qO- https://example.com/t.tgz | tar xz\n")]
    [InlineData("FROM debian:bookworm-slim\nRUN test -f /etc/os-release || exit 1\n")]
    [InlineData("FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem | Select-Object Name\n")]
    public void Lint_PipefailSetOrNoPipe_DoesNotFireDm016(string dockerfile) => DoesNotFire("DM016", dockerfile);

    // ---- DM017 multiple CMD / ENTRYPOINT -----------------------------------------------------

    [Fact]
    public void Lint_TwoCmdsInOneStage_FiresDm017OnTheIneffectiveOne()
    {
        var finding = Fires("DM017", """
            FROM node:22-slim
            CMD ["node", "old.js"]
            USER node
            CMD ["node", "server.js"]
            """);

        Assert.Equal(2, finding.Line);
        Assert.Contains("line 4", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_TwoEntrypointsInOneStage_FiresDm017()
    {
        var finding = Fires("DM017", "FROM alpine:3.20\nUSER 10001\nENTRYPOINT [\"/a\"]\nENTRYPOINT [\"/b\"]\n");

        Assert.Equal(3, finding.Line);
        Assert.Contains("ENTRYPOINT", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_OneCmdPerStage_DoesNotFireDm017() =>
        DoesNotFire("DM017", "FROM node:22-slim AS test\nCMD [\"npm\", \"test\"]\nFROM node:22-slim\nENTRYPOINT [\"node\"]\nCMD [\"server.js\"]\n");

    // ---- DM018-DM020 secrets -----------------------------------------------------------------

    [Fact]
    public void Lint_SecretInEnv_FiresDm018Critical()
    {
        var finding = Fires("DM018", """
            FROM node:22-slim
            ENV NODE_ENV=production \
                DB_PASSWORD=hunter2
            USER node
            """);

        Assert.Equal(2, finding.Line);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("DB_PASSWORD", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GITHUB_TOKEN")]
    [InlineData("apiKey")]
    [InlineData("STRIPE_API_KEY")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("client_secret")]
    [InlineData("MYSQL_ROOT_PASSWD")]
    [InlineData("SSH_PRIVATE_KEY")]
    [InlineData("REGISTRY_CREDENTIALS")]
    public void Lint_SecretLookingEnvNames_FireDm018(string key) =>
        Assert.Equal(2, Fires("DM018", $"FROM alpine:3.20\nENV {key}=abc123\n").Line);

    [Theory]
    [InlineData("ENV NODE_ENV=production PORT=3000")]
    [InlineData("ENV DB_PASSWORD_FILE=/run/secrets/db_password")]
    [InlineData("ENV GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json")]
    [InlineData("ENV TOKENIZERS_PARALLELISM=false")]
    [InlineData("ENV API_TOKEN=")]
    [InlineData("ENV KEYBOARD_LAYOUT=us")]
    public void Lint_NonSecretEnv_DoesNotFireDm018(string line) => DoesNotFire("DM018", $"FROM alpine:3.20\n{line}\n");

    [Fact]
    public void Lint_SecretArgWithDefault_FiresDm019()
    {
        var finding = Fires("DM019", """
            ARG BASE=node:22-slim
            FROM ${BASE}
            ARG NPM_TOKEN=npm_abcdef
            RUN npm ci
            """);

        Assert.Equal(3, finding.Line);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Contains("NPM_TOKEN", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_SecretArgWithoutDefault_FiresDm020Medium()
    {
        var finding = Fires("DM020", """
            FROM node:22-slim
            ARG NPM_TOKEN
            RUN npm ci
            """);

        Assert.Equal(2, finding.Line);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Contains("--mount=type=secret,id=npm_token", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_BuildSecretMount_DoesNotFireSecretRules()
    {
        const string Dockerfile = """
            FROM node:22-slim
            ARG NODE_VERSION=22
            RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
            """;

        DoesNotFire("DM018", Dockerfile);
        DoesNotFire("DM019", Dockerfile);
        DoesNotFire("DM020", Dockerfile);
    }

    // ---- DM021 sudo --------------------------------------------------------------------------

    [Fact]
    public void Lint_Sudo_FiresDm021()
    {
        var finding = Fires("DM021", """
            FROM ubuntu:24.04
            USER ubuntu
            RUN sudo -E apt-get update
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("sudo apt-get", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_UserRootInsteadOfSudo_DoesNotFireDm021() =>
        DoesNotFire("DM021", "FROM ubuntu:24.04\nUSER root\nRUN apt-get update\nUSER ubuntu\n");

    // ---- DM022 EXPOSE -----------------------------------------------------------------------

    [Theory]
    [InlineData("EXPOSE 80 70000", "70000")]
    [InlineData("EXPOSE 0", "0")]
    [InlineData("EXPOSE http", "http")]
    [InlineData("EXPOSE 8080/http", "8080/http")]
    [InlineData("EXPOSE 9000-8000", "9000-8000")]
    public void Lint_ExposeInvalidPort_FiresDm022(string line, string port)
    {
        var finding = Fires("DM022", $"FROM nginx:1.27-alpine\nUSER nginx\n{line}\n");

        Assert.Equal(3, finding.Line);
        Assert.Contains(port, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ExposeValidPorts_DoesNotFireDm022() =>
        DoesNotFire("DM022", "FROM nginx:1.27-alpine\nEXPOSE 80 443/tcp 53/udp 8000-8010 ${PORT} $METRICS_PORT/tcp 65535\n");

    // ---- DM023 WORKDIR -----------------------------------------------------------------------

    [Fact]
    public void Lint_RelativeWorkdir_FiresDm023WithAbsoluteFix()
    {
        var finding = Fires("DM023", """
            FROM node:22-slim
            WORKDIR /usr/src
            WORKDIR app
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("WORKDIR /usr/src/app", finding.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WORKDIR /app")]
    [InlineData("WORKDIR $APP_HOME")]
    [InlineData("WORKDIR ${HOME}/app")]
    [InlineData("WORKDIR C:\\app")]
    public void Lint_AbsoluteOrVariableWorkdir_DoesNotFireDm023(string line) => DoesNotFire("DM023", $"FROM alpine:3.20\n{line}\n");

    // ---- DM024 MAINTAINER --------------------------------------------------------------------

    [Fact]
    public void Lint_Maintainer_FiresDm024WithLabelFix()
    {
        var finding = Fires("DM024", """
            FROM alpine:3.20
            MAINTAINER Jane Doe <jane@example.com>
            """);

        Assert.Equal(2, finding.Line);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Contains("LABEL maintainer=\"Jane Doe <jane@example.com>\"", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_MaintainerLabel_DoesNotFireDm024() =>
        DoesNotFire("DM024", "FROM alpine:3.20\nLABEL maintainer=\"Jane Doe <jane@example.com>\"\n");

    // ---- DM025 COPY --from own stage ----------------------------------------------------------

    [Fact]
    public void Lint_CopyFromOwnStage_FiresDm025()
    {
        var finding = Fires("DM025", """
            FROM golang:1.23 AS build
            WORKDIR /src
            COPY --from=build /src/go.mod /tmp/
            """);

        Assert.Equal(3, finding.Line);
        Assert.Contains("--from=build", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_CopyFromEarlierStage_DoesNotFireDm025() =>
        DoesNotFire("DM025", "FROM golang:1.23 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCOPY --from=0 /etc/ssl/certs /etc/ssl/certs\n");

    // ---- DM026 curl | sh ---------------------------------------------------------------------

    [Fact]
    public void Lint_CurlPipedToShell_FiresDm026()
    {
        var finding = Fires("DM026", """
            FROM debian:bookworm-slim
            SHELL ["/bin/bash", "-o", "pipefail", "-c"]
            RUN curl -fsSL https://example.com/install.sh \
                | sudo bash -s -- --yes
            """);

        Assert.Equal(3, finding.Line);
        Assert.Equal(LintCategory.Security, finding.Category);
        Assert.Contains("'curl' straight into 'bash'", finding.Message, StringComparison.Ordinal);
        Assert.Contains("sha256sum -c", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ShellRunningDownloadSubstitution_FiresDm026() =>
        Assert.Equal(2, Fires("DM026", "FROM alpine:3.20\nRUN sh -c \"$(wget -qO- https://example.com/install.sh)\"\n").Line);

    [Fact]
    public void Lint_DownloadVerifiedThenRun_DoesNotFireDm026() => DoesNotFire("DM026", """
        FROM debian:bookworm-slim
        RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
         && echo "0123456789abcdef  /tmp/install.sh" | sha256sum -c - \
         && sh /tmp/install.sh
        """);

    // ---- DM027 chmod 777 ---------------------------------------------------------------------

    [Theory]
    [InlineData("RUN chmod -R 777 /app", "777")]
    [InlineData("RUN mkdir -p /data && chmod 0666 /data/db.sqlite", "0666")]
    [InlineData("RUN chmod a+rwx /app", "a+rwx")]
    [InlineData("RUN chmod o+w,u+x /app", "o+w,u+x")]
    public void Lint_WorldWritableChmod_FiresDm027(string run, string mode)
    {
        var finding = Fires("DM027", $"FROM alpine:3.20\nWORKDIR /app\n{run}\n");

        Assert.Equal(3, finding.Line);
        Assert.Contains("chmod " + mode, finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RUN chmod 755 /app && chmod 644 /app/config.json")]
    [InlineData("RUN chmod 1777 /tmp/uploads")]
    [InlineData("RUN chmod +x /app/entrypoint.sh")]
    [InlineData("RUN chmod -R g+w /app")]
    public void Lint_SafeChmod_DoesNotFireDm027(string run) => DoesNotFire("DM027", $"FROM alpine:3.20\n{run}\n");
}
