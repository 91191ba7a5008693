using DeployMind.Infrastructure.Build.Linting;
using static DeployMind.UnitTests.Build.Linting.LintTestHelpers;

namespace DeployMind.UnitTests.Build.Linting;

public sealed class LintPragmaTests
{
    [Fact]
    public void Lint_IgnoreCommentAboveInstruction_SuppressesThatRuleThere()
    {
        var findings = Lint("""
            # deploymind ignore=DM001
            FROM nginx
            FROM alpine:latest
            USER 10001
            """);

        var dm001 = Assert.Single(findings, f => f.RuleId == "DM001");
        Assert.Equal(3, dm001.Line);
    }

    [Fact]
    public void Lint_IgnoreListWithSeveralIds_SuppressesEach()
    {
        var findings = Lint("""
            FROM debian:bookworm-slim
            # deploymind ignore=DM006, DM009 -- the lists are removed by the base image's hook
            RUN apt-get update && apt-get install -y curl
            USER 10001
            """);

        Assert.DoesNotContain(findings, f => f.RuleId is "DM006" or "DM009");
    }

    [Fact]
    public void Lint_IgnoreCommentSeparatedByBlankLine_DoesNotApply()
    {
        var findings = Lint("""
            # deploymind ignore=DM001

            FROM nginx
            USER nginx
            """);

        Assert.Equal(3, Assert.Single(findings, f => f.RuleId == "DM001").Line);
    }

    [Fact]
    public void Lint_IgnoreInStackedCommentBlock_AppliesToInstructionBelow()
    {
        var findings = Lint("""
            FROM golang:1.23
            # hadolint ignore=DL3003
            # deploymind ignore=DM016
            RUN cd /src && go list ./... | sort
            USER 10001
            """);

        Assert.DoesNotContain(findings, f => f.RuleId is "DM014" or "DM016");
    }

    [Fact]
    public void Lint_IgnoreCommentAboveContinuedInstruction_SuppressesOnItsFirstLine()
    {
        var findings = Lint("""
            FROM python:3.12-slim
            # deploymind ignore=DM007
            RUN pip install \
                flask
            USER 10001
            """);

        Assert.DoesNotContain(findings, f => f.RuleId == "DM007");
    }

    [Theory]
    [InlineData("DL3007", "DM001")]
    [InlineData("DL3002", "DM002")]
    [InlineData("DL3020", "DM013")]
    [InlineData("DL4000", "DM024")]
    public void Lint_HadolintIgnore_SuppressesMappedRule(string hadolintId, string ruleId)
    {
        const string Dockerfile = """
            FROM node:22-slim AS build
            # hadolint ignore={0}
            FROM alpine:latest
            # hadolint ignore={0}
            USER root
            # hadolint ignore={0}
            ADD app.js /app/
            # hadolint ignore={0}
            MAINTAINER ops@example.com
            """;

        var without = Lint(Dockerfile.Replace("{0}", "DL9999", StringComparison.Ordinal));
        var with = Lint(Dockerfile.Replace("{0}", hadolintId, StringComparison.Ordinal));

        Assert.Contains(without, f => f.RuleId == ruleId);
        Assert.DoesNotContain(with, f => f.RuleId == ruleId);
    }

    [Fact]
    public void Lint_HadolintIdWithoutEquivalent_IsIgnoredSilently()
    {
        var findings = Lint("""
            FROM debian:bookworm-slim
            # hadolint ignore=DL3008
            RUN apt-get update && apt-get install -y curl
            USER 10001
            """);

        Assert.Contains(findings, f => f.RuleId == "DM009");
        Assert.DoesNotContain(findings, f => f.RuleId == "DM000");
    }

    [Fact]
    public void Lint_IgnoreFileAnywhere_SuppressesRuleForWholeFile()
    {
        var findings = Lint("""
            FROM node:22-slim
            USER node
            CMD node a.js
            ENTRYPOINT exec node
            # deploymind ignore-file=DM015
            """);

        Assert.DoesNotContain(findings, f => f.RuleId == "DM015");
    }

    [Fact]
    public void Lint_HadolintGlobalIgnore_SuppressesMappedRuleForWholeFile()
    {
        var findings = Lint("""
            # hadolint global ignore=DL3003,DL4006
            FROM golang:1.23
            RUN cd /a && make
            RUN cd /b && go list ./... | sort
            USER 10001
            """);

        Assert.DoesNotContain(findings, f => f.RuleId is "DM014" or "DM016");
    }

    [Fact]
    public void Lint_PragmaTextInsideHeredoc_IsNotAPragma()
    {
        var findings = Lint("""
            FROM nginx
            COPY <<EOF /etc/notes.txt
            # deploymind ignore-file=DM001
            EOF
            USER nginx
            """);

        Assert.Contains(findings, f => f.RuleId == "DM001");
    }

    [Fact]
    public void From_HadolintMappingTable_MapsEveryListedIdBackToItsRule()
    {
        foreach (var rule in LintRuleCatalog.Rules)
        {
            foreach (var hadolintId in rule.HadolintIds)
            {
                Assert.Contains(rule.Id, LintRuleCatalog.FromHadolint(hadolintId));
            }
        }

        Assert.Equal(["DM001"], LintRuleCatalog.FromHadolint("dl3006"));
        Assert.Empty(LintRuleCatalog.FromHadolint("DL3008"));
    }
}
