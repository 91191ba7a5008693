using System.Security.Claims;
using DeployMind.Application.Records;
using DeployMind.Server.Api;

namespace DeployMind.Server.Dashboard;

/// <summary>Who is signed in to the dashboard, and the anti-forgery token every form of the page carries.</summary>
/// <param name="Name">The API token's name.</param>
/// <param name="Scope">Its scope.</param>
/// <param name="CsrfField">The form field the anti-forgery token goes in.</param>
/// <param name="Csrf">The anti-forgery token for this user's forms.</param>
public sealed record DashboardUser(string Name, ApiScope Scope, string CsrfField, string Csrf)
{
    /// <summary>Whether the token may act (rollback, cancel, deploy): the deploy scope or above.</summary>
    public bool CanAct => Scope.Allows(ApiScope.Deploy);

    /// <summary>How its actions are recorded as triggered: "dashboard:NAME".</summary>
    public string Caller => DashboardSession.CallerPrefix + Name;

    internal static string? NameOf(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;

    internal static ApiScope ScopeOf(ClaimsPrincipal user) => ScopeRequirement.ScopeOf(user) ?? ApiScope.Read;
}
