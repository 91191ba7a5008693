using System.Security.Claims;
using System.Text.Encodings.Web;
using DeployMind.Application.Records;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c>, checked with <see cref="IApiTokens.CheckAsync"/>: the principal's name is
/// the token's name, its scope a claim (<see cref="ScopeRequirement"/>). A missing, unknown or revoked token is answered 401 with <c>WWW-Authenticate: Bearer</c> and a
/// problem; when the tokens cannot be checked (the database is down) the answer is 503. A client address that failed
/// too many checks (<see cref="FailedTokenThrottle"/>) gets 429 with <c>Retry-After</c> for further failures, while a
/// valid token still works. The token itself is never logged nor put in a message: only whether one was sent.
/// </summary>
internal sealed partial class BearerTokenHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "Bearer";
    private const string Prefix = "Bearer ";

    private readonly IApiTokens _tokens;
    private readonly IProblemDetailsService _problems;
    private readonly FailedTokenThrottle _throttle;

    public BearerTokenHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IApiTokens tokens, IProblemDetailsService problems, FailedTokenThrottle throttle)
        : base(options, logger, encoder)
    {
        _tokens = tokens;
        _problems = problems;
        _throttle = throttle;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var header = headers.Count == 1 ? headers[0] ?? string.Empty : string.Empty;
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.AsSpan(Prefix.Length).Trim().IsEmpty)
        {
            return Failed("The Authorization header is not one 'Bearer <token>'.");
        }

        var token = header[Prefix.Length..].Trim();
        ApiTokenIdentity? name;
        try
        {
            name = await _tokens.CheckAsync(token, Context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckFailed(Logger, ex.GetType().Name, ex.Message);
            return AuthenticateResult.Fail(new TokenCheckUnavailableException($"API tokens cannot be checked now: {ex.Message}", ex));
        }

        if (name is null)
        {
            return Failed("The bearer token is unknown or revoked.");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name.Name), new Claim(ScopeRequirement.ClaimType, name.Scope.Name())], SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is TokenCheckUnavailableException unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "10";
            await WriteAsync("Cannot check the token now", unavailable.Message);
            return;
        }

        if (result.Failure is TooManyFailedTokensException tooMany)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteAsync("Too many failed token checks", tooMany.Message);
            return;
        }

        var sent = Request.Headers.Authorization.Count > 0;
        var remote = Context.Connection.RemoteIpAddress;
        LogRefused(Logger, Request.Method, Request.Path.Value ?? "/", sent ? "an invalid or revoked token" : "no token", remote);

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = sent ? "Bearer error=\"invalid_token\"" : "Bearer";
        await (sent
            ? WriteAsync("Invalid token", "The bearer token is malformed, unknown or revoked. `deploymind token list` shows the tokens; `deploymind token create NAME` makes one.")
            : WriteAsync("Authentication required", "Send the header 'Authorization: Bearer <token>'; `deploymind token create NAME` makes a token."));
    }

    /// <summary>A failed check: counted for the client's address, and 429 once it is over the limit.</summary>
    private AuthenticateResult Failed(string reason)
    {
        var remote = Context.Connection.RemoteIpAddress;
        if (_throttle.Failed(remote, out var crossed) is not { } retryAfter)
        {
            return AuthenticateResult.Fail(reason);
        }

        if (crossed)
        {
            LogThrottled(Logger, remote, retryAfter);
        }

        return AuthenticateResult.Fail(new TooManyFailedTokensException(
            $"Too many requests from this address were refused for their token; wait {Math.Ceiling(retryAfter.TotalSeconds):0} s (Retry-After). A valid token is still accepted meanwhile.",
            retryAfter));
    }

    private async Task WriteAsync(string title, string detail)
    {
        var problem = new ProblemDetailsContext { HttpContext = Context };
        problem.ProblemDetails.Status = Response.StatusCode;
        problem.ProblemDetails.Title = title;
        problem.ProblemDetails.Detail = detail;
        if (!await _problems.TryWriteAsync(problem))
        {
            await Response.WriteAsJsonAsync(problem.ProblemDetails, Context.RequestAborted);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API request {Method} {Path} refused: {What} (from {Remote}).")]
    private static partial void LogRefused(ILogger logger, string method, string path, string what, System.Net.IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Remote} failed too many API token checks; its failures are answered 429 for {RetryAfter}.")]
    private static partial void LogThrottled(ILogger logger, System.Net.IPAddress? remote, TimeSpan retryAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API tokens cannot be checked ({Type}: {Reason}); requests are answered 503.")]
    private static partial void LogCheckFailed(ILogger logger, string type, string reason);
}
