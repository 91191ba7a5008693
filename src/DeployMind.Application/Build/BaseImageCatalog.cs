namespace DeployMind.Application.Build;

/// <summary>
/// The base images generated Dockerfiles use, by logical name. <see cref="BuildOptions.BaseImages"/> maps a name
/// to another reference (a mirror, a private registry, a locally built image).
/// </summary>
public static class BaseImageCatalog
{
    public const string Node = "node";
    public const string Python = "python";
    public const string Golang = "golang";
    public const string StaticRuntime = "static";
    public const string Maven = "maven";
    public const string Gradle = "gradle";
    public const string JavaRuntime = "java-runtime";
    public const string Ruby = "ruby";
    public const string Rust = "rust";
    public const string DebianRuntime = "debian";
    public const string Php = "php";
    public const string Composer = "composer";
    public const string DotNetSdk = "dotnet-sdk";
    public const string DotNetRuntime = "dotnet-runtime";

    /// <summary>The official images, pinned to explicit tags.</summary>
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [Node] = "node:20-bookworm-slim",
        [Python] = "python:3.12-slim-bookworm",
        [Golang] = "golang:1.22-bookworm",
        [StaticRuntime] = "gcr.io/distroless/static-debian12:nonroot",
        [Maven] = "maven:3.9-eclipse-temurin-21",
        [Gradle] = "gradle:8.10-jdk21",
        [JavaRuntime] = "eclipse-temurin:21-jre",
        [Ruby] = "ruby:3.3-slim-bookworm",
        [Rust] = "rust:1.79-slim-bookworm",
        [DebianRuntime] = "debian:bookworm-slim",
        [Php] = "php:8.3-cli-bookworm",
        [Composer] = "composer:2.7",
        [DotNetSdk] = "mcr.microsoft.com/dotnet/sdk:8.0",
        [DotNetRuntime] = "mcr.microsoft.com/dotnet/aspnet:8.0",
    };

    /// <summary>The image to use for <paramref name="name"/>: the configured mapping, else the default.</summary>
    /// <exception cref="ArgumentException">The name is not in the catalogue.</exception>
    public static string Resolve(string name, IReadOnlyDictionary<string, string>? overrides)
    {
        if (overrides is not null && overrides.TryGetValue(name, out var mapped) && !string.IsNullOrWhiteSpace(mapped))
        {
            return mapped.Trim();
        }

        return Defaults.TryGetValue(name, out var image)
            ? image
            : throw new ArgumentException($"'{name}' is not a known base image name; known: {string.Join(", ", Defaults.Keys)}.", nameof(name));
    }
}
