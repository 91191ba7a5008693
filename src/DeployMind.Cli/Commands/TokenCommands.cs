using System.ComponentModel;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>Options of <c>token create</c> and <c>token revoke</c>.</summary>
internal sealed class TokenNameSettings : CommonSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("The token's name (1 to 64 letters, digits, '-', '_', '.'): who or what uses it, e.g. ci or alice. Deployments it starts are recorded as triggered by api:NAME.")]
    public string Name { get; set; } = string.Empty;
}

/// <summary>Options of <c>token create</c>: the name and the scope.</summary>
internal sealed class TokenCreateSettings : CommonSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("The token's name (1 to 64 letters, digits, '-', '_', '.'): who or what uses it, e.g. ci or alice. Deployments it starts are recorded as triggered by api:NAME.")]
    public string Name { get; set; } = string.Empty;

    [CommandOption("--scope <SCOPE>")]
    [Description("What the token may do: read (deployments, events, logs), deploy (also create, roll back, cancel) or admin (also the tokens). Default: deploy.")]
    public string Scope { get; set; } = "deploy";

    public override ValidationResult Validate() =>
        ApiScopes.Parse(Scope) is null
            ? ValidationResult.Error($"--scope: '{Scope}' is not a scope; use read, deploy or admin.")
            : base.Validate();
}

/// <summary>
/// <c>deploymind token create NAME [--scope read|deploy|admin]</c>: makes a REST API token and prints it once (only its hash is stored, in the
/// deployment database the server uses), with how to send it.
/// </summary>
internal sealed class TokenCreateCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<TokenCreateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, TokenCreateSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(null, settings.Config, settings.Verbose);
        var tokens = host.Services.GetRequiredService<IApiTokens>();
        var scope = ApiScopes.Parse(settings.Scope) ?? ApiScopes.Default;
        var token = await tokens.CreateAsync(settings.Name, scope, cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, new { Name = settings.Name.Trim(), Scope = scope.Name(), Token = token });
            return ExitCodes.Success;
        }

        console.MarkupLine($"Created API token [bold]{Markup.Escape(settings.Name.Trim())}[/] with the [bold]{scope.Name()}[/] scope. It is shown only this once; keep it in a secret store:");
        console.WriteLine();
        console.WriteLine(token);
        console.WriteLine();
        console.MarkupLine("Send it in the Authorization header of every /api request:");
        console.WriteLine($"  Authorization: Bearer {token}");
        console.MarkupLine("[grey]e.g. curl -H \"Authorization: Bearer $DEPLOYMIND_TOKEN\" http://127.0.0.1:8090/api/deployments[/]");
        console.MarkupLine($"[grey]`deploymind token revoke {Markup.Escape(settings.Name.Trim())}` disables it.[/]");
        return ExitCodes.Success;
    }
}

/// <summary><c>deploymind token list</c>: the tokens' names, when each was created and last used, and whether it is revoked (never the tokens).</summary>
internal sealed class TokenListCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<CommonSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CommonSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(null, settings.Config, settings.Verbose);
        var tokens = await host.Services.GetRequiredService<IApiTokens>().ListAsync(cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, tokens.Select(t => new { t.Name, Scope = t.Scope.Name(), t.CreatedAt, t.LastUsedAt, t.RevokedAt, Revoked = t.RevokedAt is not null }));
            return ExitCodes.Success;
        }

        if (tokens.Count == 0)
        {
            console.MarkupLine("No API tokens. `deploymind token create NAME` makes one.");
            return ExitCodes.Success;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Name", "Scope", "Created", "Last used", "Revoked");
        foreach (var t in tokens)
        {
            table.AddRow(
                Markup.Escape(t.Name),
                t.Scope.Name(),
                Time(t.CreatedAt),
                t.LastUsedAt is { } used ? Time(used) : "never",
                t.RevokedAt is { } revoked ? $"[yellow]{Time(revoked)}[/]" : "—");
        }

        console.Write(table);
        return ExitCodes.Success;
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary><c>deploymind token revoke NAME</c>: the token stops working at once (requests with it get 401).</summary>
internal sealed class TokenRevokeCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<TokenNameSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, TokenNameSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(null, settings.Config, settings.Verbose);
        var revoked = await host.Services.GetRequiredService<IApiTokens>().RevokeAsync(settings.Name.Trim(), cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, new { Name = settings.Name.Trim(), Revoked = revoked });
            return revoked ? ExitCodes.Success : ExitCodes.InvalidInput;
        }

        if (!revoked)
        {
            console.MarkupLine($"[red]error:[/] There is no active token called '{Markup.Escape(settings.Name.Trim())}'. `deploymind token list` shows them.");
            return ExitCodes.InvalidInput;
        }

        console.MarkupLine($"Revoked API token [bold]{Markup.Escape(settings.Name.Trim())}[/]: requests with it are refused from now on.");
        return ExitCodes.Success;
    }
}
