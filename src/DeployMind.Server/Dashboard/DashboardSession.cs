using System.Globalization;
using System.Security.Claims;
using DeployMind.Application.Records;
using DeployMind.Server.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace DeployMind.Server.Dashboard;

/// <summary>
/// Signing in to the dashboard: an API token, checked like the API checks it (failed tries throttled per address, as
/// there), is exchanged for a session cookie (HttpOnly, SameSite=Strict, data-protected) that names the token and its
/// scope — never the token itself. Every request re-checks that the token still exists unrevoked with that scope, so
/// revoking a token (<c>deploymind token revoke</c>) ends its sessions at once. Every form carries an anti-forgery token.
/// </summary>
internal static partial class DashboardSession
{
    public const string Scheme = "Dashboard";
    public const string Policy = "dashboard";
    public const string CookieName = "deploymind_session";
    public const string CsrfCookieName = "deploymind_csrf";
    public const string CsrfField = "__csrf";
    public const string CallerPrefix = "dashboard:";

    /// <summary>The claim with the token's creation time: a token made again under the same name does not inherit sessions.</summary>
    private const string CreatedClaim = "deploymind:token_created";

    public static void AddDashboardSession(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.ReturnUrlParameter = "return";
            o.Events.OnValidatePrincipal = ValidateAsync;
            o.Events.OnRedirectToLogin = context =>
            {
                // Scripts (the live parts) get 401, people get the sign-in page.
                if (context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal) || context.Request.Headers.ContainsKey(DashboardEndpoints.FragmentHeader))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeRequirement(ApiScope.Read)));
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = CsrfField;
            o.HeaderName = null;
            o.Cookie.Name = CsrfCookieName;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
    }

    /// <summary>The signed-in user of the request with a fresh anti-forgery token, or null.</summary>
    public static DashboardUser? UserOf(HttpContext http, IAntiforgery antiforgery)
    {
        if (DashboardUser.NameOf(http.User) is not { } name)
        {
            return null;
        }

        var tokens = antiforgery.GetAndStoreTokens(http);
        return new DashboardUser(name, DashboardUser.ScopeOf(http.User), tokens.FormFieldName, tokens.RequestToken ?? string.Empty);
    }

    /// <summary>The anti-forgery token for a form shown to someone not signed in (the sign-in form).</summary>
    public static (string Field, string Token) AnonymousCsrf(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return (tokens.FormFieldName, tokens.RequestToken ?? string.Empty);
    }

    /// <summary>Checks the token and signs in; null when it worked, else what to tell the person.</summary>
    public static async Task<string?> SignInAsync(HttpContext http, string token, IApiTokens tokens, FailedTokenThrottle throttle, ILogger logger)
    {
        var remote = http.Connection.RemoteIpAddress;
        ApiTokenIdentity? identity;
        try
        {
            identity = string.IsNullOrWhiteSpace(token) ? null : await tokens.CheckAsync(token.Trim(), http.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckFailed(logger, ex.GetType().Name, ex.Message);
            return $"Tokens cannot be checked now ({ex.Message}); try again in a moment.";
        }

        if (identity is null)
        {
            LogRefused(logger, remote);
            if (throttle.Failed(remote, out _) is { } wait)
            {
                // As the API does: past the limit failures are told to wait; a valid token still signs in meanwhile.
                return string.Create(CultureInfo.InvariantCulture, $"Too many failed sign-ins from this address; wait {Math.Ceiling(wait.TotalSeconds):0} s before trying another token.");
            }

            return "That token is unknown or revoked. `deploymind token create NAME --scope read` makes one (only its hash is stored, so a lost token cannot be shown again).";
        }

        var info = (await tokens.ListAsync(http.RequestAborted)).FirstOrDefault(t => t.Name == identity.Name && t.RevokedAt is null);
        var claims = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, identity.Name),
                new Claim(ScopeRequirement.ClaimType, identity.Scope.Name()),
                new Claim(CreatedClaim, (info?.CreatedAt ?? DateTimeOffset.MinValue).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            ],
            Scheme,
            ClaimTypes.Name,
            ClaimTypes.Role);
        await http.SignInAsync(Scheme, new ClaimsPrincipal(claims), new AuthenticationProperties { IsPersistent = false });
        var scope = identity.Scope.Name();
        LogSignedIn(logger, identity.Name, scope, remote);
        return null;
    }

    public static async Task SignOutAsync(HttpContext http, ILogger logger)
    {
        var name = DashboardUser.NameOf(http.User);
        await http.SignOutAsync(Scheme);
        if (name is not null)
        {
            LogSignedOut(logger, name);
        }
    }

    /// <summary>A session lives only as long as its token: revoked, re-made or re-scoped, the session ends.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var name = principal?.Identity?.Name;
        var scope = principal is null ? null : ScopeRequirement.ScopeOf(principal);
        var created = principal?.FindFirst(CreatedClaim)?.Value;
        var tokens = context.HttpContext.RequestServices.GetRequiredService<IApiTokens>();
        IReadOnlyList<ApiTokenInfo> list;
        try
        {
            list = await tokens.ListAsync(context.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The records are down: nobody can be vouched for.
            context.RejectPrincipal();
            return;
        }

        var live = list.FirstOrDefault(t => t.Name == name && t.RevokedAt is null);
        if (live is null || scope != live.Scope || created != live.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    /// <summary>Only a path of this site, so a crafted link cannot send someone elsewhere after signing in.</summary>
    public static string LocalPath(string? path) =>
        path is { Length: > 0 } p && p[0] == '/' && (p.Length == 1 || (p[1] != '/' && p[1] != '\\')) && !p.Contains("://", StringComparison.Ordinal) ? p : "/";

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard: {Name} signed in with the {Scope} scope (from {Remote}).")]
    private static partial void LogSignedIn(ILogger logger, string name, string scope, System.Net.IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard: {Name} signed out.")]
    private static partial void LogSignedOut(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard: a sign-in with an unknown or revoked token was refused (from {Remote}).")]
    private static partial void LogRefused(ILogger logger, System.Net.IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: tokens cannot be checked ({Type}: {Reason}).")]
    private static partial void LogCheckFailed(ILogger logger, string type, string reason);
}
