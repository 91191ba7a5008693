namespace DeployMind.Application.Records;

/// <summary>
/// The REST API's bearer tokens. Only a hash of each token is kept; the token itself is shown once, when created.
/// </summary>
public interface IApiTokens
{
    /// <summary>Creates a token called <paramref name="name"/> with <see cref="ApiScopes.Default"/> and returns it (the only time it can be seen).</summary>
    /// <exception cref="Domain.InvalidInputException">The name is not valid or already used.</exception>
    Task<string> CreateAsync(string name, CancellationToken cancellationToken) => CreateAsync(name, ApiScopes.Default, cancellationToken);

    /// <summary>Creates a token called <paramref name="name"/> that may do what <paramref name="scope"/> allows, and returns it (the only time it can be seen).</summary>
    /// <exception cref="Domain.InvalidInputException">The name is not valid or already used.</exception>
    Task<string> CreateAsync(string name, ApiScope scope, CancellationToken cancellationToken);

    /// <summary>The token's name when it is valid (known and not revoked), else null. Constant work for unknown tokens.</summary>
    async Task<string?> AuthenticateAsync(string token, CancellationToken cancellationToken) => (await CheckAsync(token, cancellationToken))?.Name;

    /// <summary>The token's name and scope when it is valid (known and not revoked), else null. Constant work for unknown tokens.</summary>
    Task<ApiTokenIdentity?> CheckAsync(string token, CancellationToken cancellationToken);

    /// <summary>Revokes the token called <paramref name="name"/>; false when there is none.</summary>
    Task<bool> RevokeAsync(string name, CancellationToken cancellationToken);

    /// <summary>The tokens (names and dates, never the tokens).</summary>
    Task<IReadOnlyList<ApiTokenInfo>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A token as listed: never the token itself.</summary>
public sealed record ApiTokenInfo(string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>What it may do.</summary>
    public ApiScope Scope { get; init; } = ApiScopes.Default;
}

/// <summary>Who a valid token is: its name and scope.</summary>
public sealed record ApiTokenIdentity(string Name, ApiScope Scope);
