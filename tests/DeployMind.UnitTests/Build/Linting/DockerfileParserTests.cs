using DeployMind.Infrastructure.Build.Linting;

namespace DeployMind.UnitTests.Build.Linting;

public sealed class DockerfileParserTests
{
    [Fact]
    public void Parse_ContinuationLines_JoinsThemAndKeepsFirstAndLastLine()
    {
        var parsed = DockerfileParser.Parse("""
            FROM debian:bookworm-slim
            RUN apt-get update \
                && apt-get install -y curl \
                && rm -rf /var/lib/apt/lists/*
            USER 10001
            """);

        Assert.Null(parsed.Error);
        var run = parsed.Instructions[1];
        Assert.Equal("RUN", run.Keyword);
        Assert.Equal(2, run.Line);
        Assert.Equal(4, run.EndLine);
        Assert.Equal("apt-get update     && apt-get install -y curl     && rm -rf /var/lib/apt/lists/*", run.Arguments);
        Assert.Equal(5, parsed.Instructions[2].Line);
    }

    [Fact]
    public void Parse_CommentAndBlankLinesInsideContinuation_AreSkipped()
    {
        var parsed = DockerfileParser.Parse("""
            FROM alpine:3.20
            RUN echo one \
            # a comment that Docker drops
                  # an indented comment
                && echo two \

                && echo three
            CMD ["sh"]
            """);

        var run = Assert.Single(parsed.Instructions, i => i.Is("RUN"));
        Assert.Equal(2, run.Line);
        Assert.Equal(7, run.EndLine);
        Assert.DoesNotContain("comment", run.Arguments, StringComparison.Ordinal);
        Assert.Contains("echo three", run.Arguments, StringComparison.Ordinal);
        Assert.Equal(8, parsed.Instructions[^1].Line);
        Assert.Empty(parsed.Comments);
    }

    [Fact]
    public void Parse_BacktickEscapeDirective_UsesBacktickForContinuations()
    {
        var parsed = DockerfileParser.Parse("""
            # escape=`
            FROM mcr.microsoft.com/windows/servercore:ltsc2022
            RUN Write-Host `
                hello
            COPY C:\app\ C:\app\
            WORKDIR C:\app
            """);

        Assert.Null(parsed.Error);
        Assert.Equal('`', parsed.EscapeCharacter);
        Assert.Equal("`", parsed.Directives["escape"]);
        Assert.Equal(["FROM", "RUN", "COPY", "WORKDIR"], parsed.Instructions.Select(i => i.Keyword));
        var run = parsed.Instructions[1];
        Assert.Equal(3, run.Line);
        Assert.Equal(4, run.EndLine);
        Assert.Equal(@"C:\app\ C:\app\", parsed.Instructions[2].Arguments);
        Assert.Equal(5, parsed.Instructions[2].Line);
    }

    [Fact]
    public void Parse_DirectiveAfterInstruction_IsOnlyAComment()
    {
        var parsed = DockerfileParser.Parse("""
            # syntax=docker/dockerfile:1
            FROM alpine:3.20
            # escape=`
            RUN echo a \
                b
            """);

        Assert.Equal('\\', parsed.EscapeCharacter);
        Assert.Equal("docker/dockerfile:1", parsed.Directives["syntax"]);
        Assert.False(parsed.Directives.ContainsKey("escape"));
        Assert.Contains(parsed.Comments, c => c.Line == 3);
        Assert.Equal(5, parsed.Instructions[^1].EndLine);
    }

    [Fact]
    public void Parse_DirectivesAfterBlankLine_AreComments()
    {
        var parsed = DockerfileParser.Parse("""
            # check=skip=JSONArgsRecommended

            # escape=`
            FROM alpine:3.20
            """);

        Assert.Equal("skip=JSONArgsRecommended", parsed.Directives["check"]);
        Assert.Equal('\\', parsed.EscapeCharacter);
    }

    [Fact]
    public void Parse_HeredocBodyWithInstructionKeywords_IsNeverParsedAsInstructions()
    {
        var parsed = DockerfileParser.Parse("""
            FROM alpine:3.20
            RUN <<EOF
            FROM evil
            USER root
            echo done
            EOF
            USER app
            """);

        Assert.Null(parsed.Error);
        Assert.Equal(["FROM", "RUN", "USER"], parsed.Instructions.Select(i => i.Keyword));
        var run = parsed.Instructions[1];
        Assert.Equal(2, run.Line);
        Assert.Equal(6, run.EndLine);
        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal("EOF", heredoc.Delimiter);
        Assert.Equal("FROM evil\nUSER root\necho done", heredoc.Body);
        Assert.Equal(3, heredoc.FirstBodyLine);
        Assert.Equal("app", parsed.Instructions[2].Arguments);
        Assert.Equal(7, parsed.Instructions[2].Line);
        Assert.Single(parsed.Stages);
    }

    [Fact]
    public void Parse_SeveralHeredocsOnOneLine_ReadsBodiesInOrder()
    {
        var parsed = DockerfileParser.Parse("""
            FROM alpine:3.20
            COPY <<FILE1 <<FILE2 /etc/app/
            first=1
            FILE1
            second=2
            FILE2
            RUN <<EOT cat > /a.txt && <<'EOT2' cat > /b.txt
            a $HOME
            EOT
            b $HOME
            EOT2
            CMD ["cat", "/a.txt"]
            """);

        Assert.Null(parsed.Error);
        var copy = parsed.Instructions[1];
        Assert.Equal(["FILE1", "FILE2"], copy.Heredocs.Select(h => h.Delimiter));
        Assert.Equal(["first=1", "second=2"], copy.Heredocs.Select(h => h.Body));
        var run = parsed.Instructions[2];
        Assert.Equal(7, run.Line);
        Assert.Equal(11, run.EndLine);
        Assert.False(run.Heredocs[0].IsQuoted);
        Assert.True(run.Heredocs[1].IsQuoted);
        Assert.Equal("b $HOME", run.Heredocs[1].Body);
        Assert.Equal(12, parsed.Instructions[3].Line);
    }

    [Fact]
    public void Parse_DashHeredoc_StripsLeadingTabsAndAcceptsIndentedTerminator()
    {
        var parsed = DockerfileParser.Parse("FROM alpine:3.20\nRUN <<-EOF\n\techo hi\n\tUSER root\n\tEOF\nUSER app\n");

        var run = parsed.Instructions[1];
        var heredoc = Assert.Single(run.Heredocs);
        Assert.True(heredoc.StripLeadingTabs);
        Assert.Equal("echo hi\nUSER root", heredoc.Body);
        Assert.Equal(5, run.EndLine);
        Assert.Equal(["FROM", "RUN", "USER"], parsed.Instructions.Select(i => i.Keyword));
    }

    [Fact]
    public void Parse_QuotedHeredocDelimiterAndCopyTarget_AreRecognised()
    {
        var parsed = DockerfileParser.Parse("""
            FROM nginx:1.27-alpine
            COPY <<"EOF" /etc/nginx/conf.d/default.conf
            server { listen 8080; }
            EOF
            """);

        var copy = parsed.Instructions[1];
        var heredoc = Assert.Single(copy.Heredocs);
        Assert.True(heredoc.IsQuoted);
        Assert.Equal("EOF", heredoc.Delimiter);
        Assert.Equal("server { listen 8080; }", heredoc.Body);
        Assert.EndsWith("/etc/nginx/conf.d/default.conf", copy.Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnterminatedHeredoc_ReturnsErrorOnInstructionLine()
    {
        var parsed = DockerfileParser.Parse("""
            FROM alpine:3.20
            WORKDIR /app
            RUN <<EOF
            echo never closed
            """);

        Assert.NotNull(parsed.Error);
        Assert.Equal(3, parsed.Error.Line);
        Assert.Contains("<<EOF", parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HereStringAndExecForm_AreNotHeredocs()
    {
        var parsed = DockerfileParser.Parse("""
            FROM bash:5.2
            RUN cat <<< "hello"
            RUN ["sh", "-c", "cat <<EOF"]
            """);

        Assert.Null(parsed.Error);
        Assert.All(parsed.Instructions, i => Assert.Empty(i.Heredocs));
    }

    [Fact]
    public void Parse_FlagsAndExecForm_AreSplitOut()
    {
        var parsed = DockerfileParser.Parse("""
            FROM --platform=$BUILDPLATFORM golang:1.23 AS build
            RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .
            FROM gcr.io/distroless/static-debian12:nonroot
            COPY --from=build --chown=nonroot:nonroot /out/app /app
            ENTRYPOINT ["/app", "--port", "8080"]
            CMD echo not json
            """);

        Assert.Null(parsed.Error);
        var from = parsed.Instructions[0];
        Assert.Equal("$BUILDPLATFORM", from.GetFlag("platform"));
        Assert.Equal("golang:1.23", parsed.Stages[0].BaseImage);
        Assert.Equal("build", parsed.Stages[0].Name);
        var run = parsed.Instructions[1];
        Assert.Equal(2, run.GetFlags("mount").Count());
        Assert.Equal("go build -o /out/app .", run.Arguments);
        var copy = parsed.Instructions[3];
        Assert.Equal("build", copy.GetFlag("from"));
        Assert.Equal("nonroot:nonroot", copy.GetFlag("chown"));
        Assert.Equal("/out/app /app", copy.Arguments);
        var entrypoint = parsed.Instructions[4];
        Assert.True(entrypoint.IsExecForm);
        Assert.Equal(["/app", "--port", "8080"], entrypoint.ExecArguments);
        Assert.False(parsed.Instructions[5].IsExecForm);
    }

    [Fact]
    public void Parse_InvalidJsonArray_FallsBackToShellForm()
    {
        var parsed = DockerfileParser.Parse("FROM alpine:3.20\nCMD ['sh', '-c', 'echo']\n");

        Assert.False(parsed.Instructions[1].IsExecForm);
        Assert.Empty(parsed.Instructions[1].ExecArguments);
    }

    [Fact]
    public void Parse_Stages_TracksIndexNamesAndFinalStage()
    {
        var parsed = DockerfileParser.Parse("""
            ARG BASE=node:22-slim
            FROM ${BASE} AS deps
            RUN npm ci
            from deps as build
            run npm run build
            FROM nginx:1.27-alpine
            COPY --from=build /app/dist /usr/share/nginx/html
            """);

        Assert.Null(parsed.Error);
        Assert.Single(parsed.GlobalArgs);
        Assert.Equal(-1, parsed.Instructions[0].StageIndex);
        Assert.Equal(3, parsed.Stages.Count);
        Assert.Equal(["deps", "build", null], parsed.Stages.Select(s => s.Name));
        Assert.Equal("RUN", parsed.Stages[1].Instructions[0].Keyword);
        Assert.Equal(1, parsed.Stages[1].Instructions[0].StageIndex);
        Assert.Equal(2, parsed.Stages[2].From.StageIndex);
        Assert.Same(parsed.Stages[2], parsed.FinalStage);
        Assert.Equal(["deps", "build"], parsed.Lineage(parsed.Stages[1]).Select(s => s.Name));
        Assert.Same(parsed.Stages[1], parsed.FindStage("BUILD", 2));
        Assert.Same(parsed.Stages[0], parsed.FindStage("0", 2));
    }

    [Fact]
    public void Parse_CommentsOutsideInstructions_AreKeptWithLineNumbers()
    {
        var parsed = DockerfileParser.Parse("""
            FROM alpine:3.20
              # deploymind ignore=DM014
            RUN cd /tmp
            """);

        var comment = Assert.Single(parsed.Comments);
        Assert.Equal(2, comment.Line);
        Assert.Equal("deploymind ignore=DM014", comment.Text);
    }

    [Theory]
    [InlineData("", 1, "no FROM")]
    [InlineData("# only a comment\nARG X=1\n", 2, "no FROM")]
    [InlineData("FROM alpine:3.20\nRUNN echo hi\n", 2, "RUNN")]
    [InlineData("ARG X=1\nENV A=b\nFROM alpine:3.20\n", 2, "before the first FROM")]
    [InlineData("# escape=x\nFROM alpine:3.20\n", 1, "escape")]
    public void Parse_BrokenFile_ReturnsErrorWithLine(string text, int line, string fragment)
    {
        var parsed = DockerfileParser.Parse(text);

        Assert.NotNull(parsed.Error);
        Assert.Equal(line, parsed.Error.Line);
        Assert.Contains(fragment, parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CrLfAndBom_AreHandled()
    {
        var parsed = DockerfileParser.Parse("\uFEFFFROM alpine:3.20\r\nRUN echo a \\\r\n  b\r\nUSER 1000\r\n");

        Assert.Null(parsed.Error);
        Assert.Equal(["FROM", "RUN", "USER"], parsed.Instructions.Select(i => i.Keyword));
        Assert.Equal(4, parsed.Instructions[2].Line);
    }
}
