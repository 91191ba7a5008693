namespace DeployMind.Domain.Build;

/// <summary>Where <see cref="DetectionResult.Port"/> came from, most trusted first.</summary>
public enum PortSource
{
    /// <summary>Nothing in the app names a port: it is the framework's (or language's) usual default, a guess.</summary>
    Default = 0,

    /// <summary>The app's own Dockerfile: <c>EXPOSE</c>, else <c>ASPNETCORE_URLS</c> / <c>ASPNETCORE_HTTP_PORTS</c> / <c>PORT</c> in an <c>ENV</c>.</summary>
    Dockerfile,

    /// <summary>A literal in the command that starts the app (the Procfile's <c>web:</c> line, package.json's start script).</summary>
    StartCommand,

    /// <summary>A literal in the code or its server configuration (a listen call, a <c>PORT</c> default, <c>server.port</c>...).</summary>
    Code,

    /// <summary>
    /// No literal, but the app takes its port from <c>PORT</c> (the code reads it, or the start command passes it), which
    /// DeployMind sets: the default shown is the one DeployMind hands it, not a guess about the app.
    /// </summary>
    Environment,
}
