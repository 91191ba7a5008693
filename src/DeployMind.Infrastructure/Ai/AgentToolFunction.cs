using System.Text.Json;
using DeployMind.Application.Agents;
using Microsoft.Extensions.AI;

namespace DeployMind.Infrastructure.Ai;

/// <summary>An <see cref="AgentTool"/> as a Microsoft.Extensions.AI function: one optional string argument, a text result (already redacted by the agent).</summary>
internal sealed class AgentToolFunction : AIFunction
{
    private readonly AgentTool _tool;

    public AgentToolFunction(AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        _tool = tool;
        var properties = new Dictionary<string, object>();
        if (tool.Argument is { } argument)
        {
            properties[argument.Name] = new Dictionary<string, string> { ["type"] = "string", ["description"] = argument.Description };
        }

        JsonSchema = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["type"] = "object", ["properties"] = properties });
    }

    public override string Name => _tool.Name;

    public override string Description => _tool.Description;

    public override JsonElement JsonSchema { get; }

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        string? value = null;
        if (_tool.Argument is { } argument && arguments.TryGetValue(argument.Name, out var raw))
        {
            value = raw switch
            {
                null => null,
                JsonElement { ValueKind: JsonValueKind.String } s => s.GetString(),
                JsonElement e => e.ToString(),
                _ => Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        return ValueTask.FromResult<object?>(_tool.Invoke(value));
    }
}
