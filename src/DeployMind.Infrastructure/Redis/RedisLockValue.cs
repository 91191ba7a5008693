namespace DeployMind.Infrastructure.Redis;

/// <summary>The value of a lock key, <c>{"owner":…,"token":…,"nonce":…}</c> (written by the acquire script).</summary>
internal sealed record RedisLockValue(string Owner, long Token, string Nonce);
