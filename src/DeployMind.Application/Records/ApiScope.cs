namespace DeployMind.Application.Records;

/// <summary>
/// What an API token may do. Each scope includes the ones before it: <c>admin</c> ⊇ <c>deploy</c> ⊇ <c>read</c>.
/// </summary>
public enum ApiScope
{
    /// <summary>Read deployments, their events and logs, webhook deliveries.</summary>
    Read = 0,

    /// <summary>Also queue deployments, roll back, cancel.</summary>
    Deploy = 1,

    /// <summary>Also manage the server: the tokens.</summary>
    Admin = 2,
}

/// <summary>Scope names (<c>read</c>, <c>deploy</c>, <c>admin</c>) and their order.</summary>
public static class ApiScopes
{
    /// <summary>The scope a token gets when none is asked for, and what tokens made before scopes existed have: what they could do then.</summary>
    public const ApiScope Default = ApiScope.Deploy;

    public static string Name(this ApiScope scope) => scope.ToString().ToLowerInvariant();

    /// <summary>Whether a token of scope <paramref name="held"/> may do what needs <paramref name="needed"/>.</summary>
    public static bool Allows(this ApiScope held, ApiScope needed) => held >= needed;

    /// <summary>The scope called <paramref name="text"/> (case ignored), or null.</summary>
    public static ApiScope? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "read" => ApiScope.Read,
        "deploy" => ApiScope.Deploy,
        "admin" => ApiScope.Admin,
        _ => null,
    };
}
