using System.Text.Json;
using System.Text.Json.Serialization;
using DeployMind.Application.Jobs;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>Source-generated JSON of a job as stored in <c>jobs.Payload</c>: camelCase, enums by name, readable with sqlite3/psql.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DeployJob))]
internal sealed partial class JobPayloadJsonContext : JsonSerializerContext;
