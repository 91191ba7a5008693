using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DeployMind.Infrastructure.Build.Templates;

/// <summary>Small helper that writes Dockerfile instructions with consistent formatting.</summary>
internal sealed class DockerfileWriter
{
    private readonly StringBuilder _text = new();

    public DockerfileWriter Comment(string text)
    {
        _text.Append("# ").Append(text).Append('\n');
        return this;
    }

    public DockerfileWriter Blank()
    {
        _text.Append('\n');
        return this;
    }

    public DockerfileWriter Line(string instruction)
    {
        _text.Append(instruction).Append('\n');
        return this;
    }

    /// <summary>A RUN whose commands are joined with <c>&amp;&amp;</c>, one per continuation line.</summary>
    public DockerfileWriter Run(params string[] commands)
    {
        _text.Append("RUN ").Append(commands[0]);
        foreach (var command in commands.Skip(1))
        {
            _text.Append(" \\\n    && ").Append(command);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>An instruction in exec (JSON array) form, e.g. CMD ["node", "server.js"].</summary>
    public DockerfileWriter Exec(string keyword, IEnumerable<string> arguments)
    {
        _text.Append(keyword).Append(' ').Append(ToJsonArray(arguments)).Append('\n');
        return this;
    }

    /// <summary>The BuildKit variant: <see cref="RunCached"/> mounts its caches; without, it is a plain RUN.</summary>
    public bool CacheMounts { get; init; }

    /// <summary>
    /// A RUN that keeps <paramref name="cacheTargets"/> in BuildKit cache mounts (<c>RUN --mount=type=cache,target=...</c>)
    /// when <see cref="CacheMounts"/> is set, so downloads and compiler caches survive between builds without entering the
    /// image; a plain <see cref="Run"/> otherwise. A target may carry options after a comma (<c>/src/target,sharing=locked</c>).
    /// </summary>
    public DockerfileWriter RunCached(IReadOnlyList<string> cacheTargets, params string[] commands)
    {
        if (!CacheMounts || cacheTargets.Count == 0)
        {
            return Run(commands);
        }

        var mounts = string.Join(' ', cacheTargets.Select(t => "--mount=type=cache,target=" + t));
        return Run([$"{mounts} {commands[0]}", .. commands.Skip(1)]);
    }

    public override string ToString() => _text.ToString();

    internal static string ToJsonArray(IEnumerable<string> arguments) =>
        "[" + string.Join(", ", arguments.Select(a => JsonSerializer.Serialize(a, JsonOptions))) + "]";

    // Readable JSON in Dockerfiles: quotes and backslashes escaped, nothing else.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
