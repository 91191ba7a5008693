using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Build.Linting;
using static DeployMind.UnitTests.Build.Linting.LintTestHelpers;

namespace DeployMind.UnitTests.Build.Linting;

/// <summary>Whole-file behaviour: good Dockerfiles stay clean, parse errors become findings, order and redaction.</summary>
public sealed class DockerfileLinterTests
{
    private const string NodeDockerfile = """
        # syntax=docker/dockerfile:1.7
        ARG NODE_VERSION=22.11.0

        FROM node:${NODE_VERSION}-bookworm-slim AS deps
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

        FROM node:${NODE_VERSION}-bookworm-slim AS build
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN --mount=type=cache,target=/root/.npm npm ci
        COPY . .
        RUN npm run build

        FROM node:${NODE_VERSION}-bookworm-slim AS runtime
        ENV NODE_ENV=production \
            PORT=3000
        WORKDIR /app
        RUN apt-get update \
         && apt-get install -y --no-install-recommends tini \
         && rm -rf /var/lib/apt/lists/*
        COPY --from=deps --chown=node:node /app/node_modules ./node_modules
        COPY --from=build --chown=node:node /app/dist ./dist
        COPY --chown=node:node package.json ./
        USER node
        EXPOSE 3000
        HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "dist/healthcheck.js"]
        ENTRYPOINT ["/usr/bin/tini", "--"]
        CMD ["node", "dist/server.js"]
        """;

    private const string PythonDockerfile = """
        # syntax=docker/dockerfile:1
        FROM python:3.12-slim-bookworm AS build
        ENV PIP_NO_CACHE_DIR=1 \
            PIP_DISABLE_PIP_VERSION_CHECK=1
        WORKDIR /app
        RUN apt-get update \
         && apt-get install -y --no-install-recommends build-essential libpq-dev \
         && rm -rf /var/lib/apt/lists/*
        RUN python -m venv /opt/venv
        ENV PATH="/opt/venv/bin:$PATH"
        COPY requirements.txt .
        RUN pip install -r requirements.txt

        FROM python:3.12-slim-bookworm
        ENV PYTHONDONTWRITEBYTECODE=1 \
            PYTHONUNBUFFERED=1 \
            PATH="/opt/venv/bin:$PATH"
        RUN apt-get update \
         && apt-get install -y --no-install-recommends libpq5 \
         && rm -rf /var/lib/apt/lists/* \
         && groupadd --system --gid 10001 app \
         && useradd --system --uid 10001 --gid app --no-create-home app
        WORKDIR /app
        COPY --from=build /opt/venv /opt/venv
        COPY --chown=app:app . .
        USER app
        EXPOSE 8000
        CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "app.wsgi:application"]
        """;

    [Fact]
    public void Lint_WellWrittenNodeDockerfile_HasNoFindings() => Assert.Empty(Lint(NodeDockerfile));

    [Fact]
    public void Lint_WellWrittenPythonDockerfile_HasNoFindings() => Assert.Empty(Lint(PythonDockerfile));

    [Fact]
    public void Lint_NullContext_SkipsDockerignoreRuleOnly()
    {
        var linter = new DeployMind.Infrastructure.Build.DockerfileLinter();

        Assert.Empty(linter.Lint(NodeDockerfile));
    }

    [Fact]
    public void Lint_CommonBadDockerfile_ReportsFindingsSortedByLineThenRule()
    {
        var findings = Lint("""
            FROM node
            MAINTAINER dev@example.com
            ADD . /app
            RUN cd /app && npm install
            ENV API_KEY=abc
            CMD npm start
            """, hasDockerignore: false);

        Assert.Equal(
            [
                (1, "DM001"), (1, "DM002"),
                (2, "DM024"),
                (3, "DM004"), (3, "DM005"), (3, "DM013"),
                (4, "DM003"), (4, "DM014"),
                (5, "DM018"),
                (6, "DM015"),
            ],
            findings.Select(f => (f.Line, f.RuleId)));
    }

    [Theory]
    [InlineData("FROM alpine:3.20\nRUN <<EOF\napk add --no-cache curl\n", 2)]
    [InlineData("# just a comment\n", 1)]
    [InlineData("FROM alpine:3.20\nUSER 10001\nCOPPY . /app\n", 3)]
    public void Lint_UnparsableFile_ReturnsSingleDm000WithLine(string dockerfile, int line)
    {
        var finding = Assert.Single(Lint(dockerfile));

        Assert.Equal("DM000", finding.RuleId);
        Assert.Equal(line, finding.Line);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.False(string.IsNullOrWhiteSpace(finding.Fix));
    }

    [Fact]
    public void Lint_HeredocScript_IsCheckedAsShell()
    {
        var findings = Lint("""
            FROM debian:bookworm-slim
            RUN <<EOF
            set -e
            apt-get update
            apt-get install -y curl
            EOF
            USER 10001
            """);

        Assert.Contains(findings, f => f.RuleId == "DM006" && f.Line == 2);
        Assert.Contains(findings, f => f.RuleId == "DM009" && f.Line == 2);
    }

    [Fact]
    public void Lint_HeredocFileContent_IsNotCheckedAsShell()
    {
        var findings = Lint("""
            FROM debian:bookworm-slim
            COPY <<EOF /usr/local/bin/setup.sh
            sudo apt-get install curl
            EOF
            RUN <<EOF python3
            print("cd /tmp | sh")
            EOF
            USER 10001
            """);

        Assert.Empty(findings);
    }

    [Fact]
    public void Lint_SecretValues_NeverAppearInMessagesFixesJsonOrSarif()
    {
        const string EnvValue = "Sup3r-S3cret-Value!";
        const string ArgValue = "ghp_0123456789abcdefABCDEF";
        var dockerfile = $"""
            FROM node:22-slim
            ARG GITHUB_TOKEN={ArgValue}
            ENV DB_PASSWORD={EnvValue} \
                STRIPE_API_KEY="{EnvValue}2"
            ENV AUTH_SECRET {EnvValue}3
            USER node
            CMD ["node", "server.js"]
            """;

        var findings = Lint(dockerfile);
        var outputs = findings.SelectMany(f => new[] { f.Message, f.Fix })
            .Append(LintReportWriter.ToJson(findings, "Dockerfile"))
            .Append(LintReportWriter.ToSarif(findings, "Dockerfile"));

        Assert.Equal(["DM019", "DM018", "DM018", "DM018"], findings.Select(f => f.RuleId));
        Assert.Contains(findings, f => f.Message.Contains("STRIPE_API_KEY", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Message.Contains("AUTH_SECRET", StringComparison.Ordinal));
        Assert.All(outputs, text =>
        {
            Assert.DoesNotContain(EnvValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ArgValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Sup3r", text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Lint_CalledConcurrently_GivesSameResults()
    {
        var linter = new DeployMind.Infrastructure.Build.DockerfileLinter();
        var expected = linter.Lint(PythonDockerfile.Replace("USER app", "USER root", StringComparison.Ordinal));

        var results = Enumerable.Range(0, 16).AsParallel()
            .Select(_ => linter.Lint(PythonDockerfile.Replace("USER app", "USER root", StringComparison.Ordinal)))
            .ToList();

        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Equal(LintCategory.Security, Assert.Single(expected).Category);
    }

    [Theory]
    [InlineData("FROM alpine:3.20\nRUN echo 'unterminated\n")]
    [InlineData("FROM alpine:3.20\nRUN echo \"$(curl -s x\n")]
    [InlineData("FROM alpine:3.20\nRUN echo `date\n")]
    [InlineData("FROM alpine:3.20\nRUN \\\n")]
    [InlineData("FROM alpine:3.20\nENV\nARG =x\nEXPOSE\nWORKDIR\nUSER\nCMD\nCOPY\nADD\n")]
    [InlineData("FROM alpine:3.20\nRUN --mount=type=cache,target=/a,target=/b apk add curl\n")]
    [InlineData("FROM alpine:3.20\nRUN ( ( a | b ) ) | c && ) || (\n")]
    [InlineData("FROM alpine:3.20\nRUN apt-get -o\nRUN pip\nRUN python -m\nRUN chmod\nRUN cd\n")]
    [InlineData("FROM\n")]
    [InlineData("FROM alpine:3.20\nCOPY --from= . .\nONBUILD RUN apt-get install curl\n")]
    public void Lint_OddInput_DoesNotThrow(string dockerfile)
    {
        var findings = Lint(dockerfile);

        Assert.NotNull(findings);
    }
}
