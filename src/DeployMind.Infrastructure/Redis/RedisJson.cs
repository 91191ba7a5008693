using System.Text.Json.Serialization;
using DeployMind.Application.Jobs;

namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// Source-generated JSON of what DeployMind stores in Redis: jobs (stream entries, job keys, dead letters) and lock
/// values. camelCase, priorities by name, so <c>redis-cli</c> output reads well.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DeployJob))]
[JsonSerializable(typeof(RedisLockValue))]
internal sealed partial class RedisJson : JsonSerializerContext;
