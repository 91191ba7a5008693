using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// The patterns <see cref="PortFinder"/> reads ports with. A pattern captures either <c>port</c> (a literal) or <c>arg</c>
/// (an argument or setting value that <c>Evaluate</c> turns into a port, following a variable to its assignment).
/// </summary>
internal static partial class PortFinder
{
    private const int TimeoutMilliseconds = 1000;

    /// <summary>Per language: the patterns, and whether a match is where the server listens (a listen call, server.port).</summary>
    private static IEnumerable<(Regex Regex, bool Listen)> PatternsFor(Language language) => language switch
    {
        Language.Node => [(NodeListen(), true), (NodeListenOptions(), true), (NodeServeOptions(), true)],
        Language.Python => [(PythonRun(), true), (GunicornBind(), true)],
        Language.Go => [(GoListen(), true), (GoNetListen(), true), (GoAddrField(), true), (GoPortAssignment(), false), (GoFlag(), false)],
        Language.Ruby => [(SinatraSetPort(), true), (PumaPort(), true), (RackPortOption(), true)],
        Language.Java => [(SpringServerPort(), true), (SpringYamlServerPort(), true)],
        Language.DotNet => [(AspNetCoreUseUrls(), true), (AspNetCoreRunUrl(), true), (KestrelListen(), true), (AspNetCoreSettingsUrls(), true), (LaunchSettingsUrl(), false)],
        Language.Rust => [(RustBindString(), true), (RustBindTuple(), true), (RustSocketAddr(), true)],
        _ => [],
    };

    // --- Values ------------------------------------------------------------------------------------------------

    /// <summary>A port default written next to a read of PORT, in any of the languages.</summary>
    [GeneratedRegex("""
        process\.env\.PORT\s*\)?\s*(?:\|\||\?\?)\s*['"]?(?<port>\d{2,5})\b
        | (?:environ\.get|getenv)\(\s*['"]PORT['"]\s*,\s*['"]?(?<port>\d{2,5})\b
        | (?:environ\.get|getenv)\(\s*['"]PORT['"]\s*\)\s*or\s+['"]?(?<port>\d{2,5})\b
        | cmp\.Or\(\s*os\.Getenv\(\s*"PORT"\s*\)\s*,\s*"?:?(?<port>\d{2,5})\b
        | ENV\.fetch\(\s*['"]PORT['"]\s*(?:,\s*['"]?(?<port>\d{2,5})|\)\s*\{\s*['"]?(?<port>\d{2,5}))
        | ENV\[\s*['"]PORT['"]\s*\]\s*\|\|\s*['"]?(?<port>\d{2,5})\b
        | \$\{(?:[A-Z]+_)*PORT:(?<port>\d{2,5})\}
        | GetEnvironmentVariable\(\s*"PORT"\s*\)\s*\?\?\s*"?(?<port>\d{2,5})\b
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex EnvDefault();

    /// <summary>A read of PORT from the environment, in any of the languages.</summary>
    [GeneratedRegex("""
        process\.env\.PORT\b | process\.env\[\s*['"]PORT['"]\s*\]
        | environ(?:\.get\(|\[)\s*['"]PORT['"] | getenv\(\s*['"]PORT['"]
        | Getenv\(\s*"PORT"\s*\) | LookupEnv\(\s*"PORT"\s*\)
        | ENV(?:\.fetch\(|\[)\s*['"]PORT['"]
        | env::var\(\s*"PORT"\s*\) | \$\{PORT\b | GetEnvironmentVariable\(\s*"PORT"\s*\)
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PortRead();

    /// <summary>A literal on its own, possibly quoted, wrapped in a conversion call or after a host: 5000, '5000', ":9090", "0.0.0.0:8080", int(8000).</summary>
    [GeneratedRegex("""^(?:[\w.]+\(\s*)*['"]?(?:[^'"\s:()]*:)?(?<port>\d{2,5})['"]?(?:\s*\))*$""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex BareLiteral();

    /// <summary>The port of a URL (http://*:5005, https://localhost:7001/).</summary>
    [GeneratedRegex(@":(?<port>\d{2,5})(?:/|$)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex UrlPort();

    [GeneratedRegex(@"^[A-Za-z_$][\w$]*$", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex Identifier();

    /// <summary>Go's <c>":" + port</c>: the variable is what matters.</summary>
    [GeneratedRegex("""^["'`]:["'`]\s*\+\s*""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GoConcatenation();

    // --- Dockerfile and start command ----------------------------------------------------------------------------

    [GeneratedRegex(@"^[ \t]*EXPOSE[ \t]+(?<port>\d{1,5})(?:/(?:tcp|udp))?\b", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex DockerExpose();

    [GeneratedRegex("""^[ \t]*ENV[ \t]+(?:.*\s)?ASPNETCORE_URLS[= ]\s*"?(?<arg>[^"\s]+)""", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex DockerAspNetCoreUrls();

    [GeneratedRegex("""^[ \t]*ENV[ \t]+(?:.*\s)?ASPNETCORE_HTTP_PORTS[= ]\s*"?(?<port>\d{2,5})\b""", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex DockerAspNetCoreHttpPorts();

    [GeneratedRegex("""^[ \t]*ENV[ \t]+(?:.*\s)?PORT[= ]\s*"?(?<port>\d{2,5})\b""", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex DockerPortEnv();

    /// <summary>A port in a start command: gunicorn/uvicorn <c>--bind host:8000</c>, <c>-p 4000</c>/<c>--port 4000</c>, <c>runserver 0.0.0.0:8000</c>, <c>php -S host:8000</c>, <c>PORT=4000 node ...</c>.</summary>
    [GeneratedRegex("""
        (?:--bind|-b)[ =]+['"]?[^\s'":]*:(?<port>\d{2,5})(?=[\s'"]|$)
        | (?:^|\s)(?:--port|-p)[ =]+(?<port>\d{2,5})(?=[\s'"]|$)
        | \brunserver\s+(?:[^\s:]+:)?(?<port>\d{2,5})(?=\s|$)
        | \s-S\s+[^\s:]+:(?<port>\d{2,5})\b
        | (?:^|\s)PORT=(?<port>\d{2,5})\s
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex StartCommandPort();

    /// <summary>The start command hands the app its port from the environment.</summary>
    [GeneratedRegex(@"\$\{?PORT\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PassesPort();

    // --- Node.js --------------------------------------------------------------------------------------------------

    /// <summary><c>app.listen(5000)</c>, <c>server.listen(PORT, cb)</c>, <c>app.listen(process.env.PORT || 5000)</c>.</summary>
    [GeneratedRegex(@"\.listen\(\s*(?<arg>(?:[^,()\n]|\([^()\n]*\))+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex NodeListen();

    /// <summary>Fastify's <c>app.listen({ port: 5000, host })</c>.</summary>
    [GeneratedRegex(@"\.listen\(\s*\{[^}]*?\bport\s*:\s*(?<arg>(?:[^,()}\n]|\([^()\n]*\))+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex NodeListenOptions();

    /// <summary><c>Bun.serve({ port: 3000 })</c>, Hono's <c>serve({ fetch, port })</c>, hapi's <c>Hapi.server({ port: 3000 })</c>.</summary>
    [GeneratedRegex(@"\b(?:serve|[sS]erver)\(\s*\{[^}]*?\bport\s*:\s*(?<arg>(?:[^,()}\n]|\([^()\n]*\))+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex NodeServeOptions();

    // --- Python ---------------------------------------------------------------------------------------------------

    /// <summary><c>app.run(port=8000)</c>, <c>app.run(host=..., port=8000)</c>, <c>uvicorn.run(app, port=8001)</c>, <c>web.run_app(app, port=8080)</c>, waitress <c>serve(app, port=8080)</c>.</summary>
    [GeneratedRegex(@"\b(?:run|run_app|serve)\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*?\bport\s*=\s*(?<arg>(?:[^,()\n]|\((?:[^()]|\([^()]*\))*\))+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PythonRun();

    /// <summary>gunicorn.conf.py's <c>bind = "0.0.0.0:8000"</c>.</summary>
    [GeneratedRegex("""^[ \t]*bind\s*=\s*\[?\s*['"][^'"\s:]*:(?<port>\d{2,5})['"]""", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GunicornBind();

    // --- Go -------------------------------------------------------------------------------------------------------

    /// <summary><c>http.ListenAndServe(":9090", h)</c>, Gin's <c>r.Run(":8080")</c>, Echo's <c>e.Start(":1323")</c>, Fiber's <c>app.Listen(":3000")</c>.</summary>
    [GeneratedRegex(@"\b(?:ListenAndServe|ListenAndServeTLS|Run|RunTLS|Start|StartTLS|Listen|ListenTLS)\(\s*(?<arg>(?:[^,()\n]|\([^()\n]*\))+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GoListen();

    [GeneratedRegex("""\bnet\.Listen\(\s*"tcp[46]?"\s*,\s*(?<arg>(?:[^,()\n]|\([^()\n]*\))+)""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GoNetListen();

    /// <summary><c>&amp;http.Server{Addr: ":9090"}</c>.</summary>
    [GeneratedRegex(@"\bAddr\s*:\s*(?<arg>(?:[^,()}\n]|\([^()\n]*\))+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GoAddrField();

    /// <summary>The fallback after <c>os.Getenv("PORT")</c>: <c>port = "9090"</c>, <c>defaultAddr := ":9090"</c>.</summary>
    [GeneratedRegex("""\b(?i:(?:default|http|listen|server|app)_?)?(?i:port|addr)\s*:?=(?!=)\s*(?:"(?:[^"\s:]*:)?(?<port>\d{2,5})"|(?<port>\d{2,5})\b)""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GoPortAssignment();

    /// <summary><c>flag.String("addr", ":9090", ...)</c>, <c>flag.Int("port", 9090, ...)</c>.</summary>
    [GeneratedRegex("""\bflag\.(?:String|Int)\(\s*"(?i:port|addr)"\s*,\s*"?(?:[^",\s:]*:)?(?<port>\d{2,5})\b""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex GoFlag();

    // --- Ruby -----------------------------------------------------------------------------------------------------

    /// <summary>Sinatra's <c>set :port, 4567</c>.</summary>
    [GeneratedRegex(@"\bset\s*\(?\s*:port\s*,\s*(?<arg>[^\n#)]+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex SinatraSetPort();

    /// <summary>Puma's <c>port ENV.fetch("PORT") { 3000 }</c> / <c>port 3000</c>.</summary>
    [GeneratedRegex(@"^[ \t]*port\s*\(?\s*(?<arg>[^\n#]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PumaPort();

    /// <summary><c>Rack::Handler::Puma.run(app, Port: 4000)</c>.</summary>
    [GeneratedRegex(@"\bPort:\s*(?<arg>[^,\n)}]+)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex RackPortOption();

    // --- Java (Spring Boot) ---------------------------------------------------------------------------------------

    /// <summary><c>server.port=8081</c> (application.properties) or <c>server.port: 8081</c> (flat YAML).</summary>
    [GeneratedRegex(@"^[ \t]*server\.port[ \t]*[=:][ \t]*(?<arg>[^\n#]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex SpringServerPort();

    /// <summary><c>server:</c> then an indented <c>port: 8081</c> (application.yml).</summary>
    [GeneratedRegex(@"^server:[ \t]*\r?\n(?:(?:[ \t]+[^\n]*)?\r?\n)*?[ \t]+port:[ \t]*(?<arg>[^\n#]+)", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex SpringYamlServerPort();

    // --- .NET -----------------------------------------------------------------------------------------------------

    [GeneratedRegex("""\bUseUrls\(\s*(?<arg>"[^"]*")""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AspNetCoreUseUrls();

    /// <summary><c>app.Run("http://0.0.0.0:5005")</c>.</summary>
    [GeneratedRegex("""\.Run(?:Async)?\(\s*(?<arg>"[^"]*")""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AspNetCoreRunUrl();

    /// <summary>Kestrel's <c>options.ListenAnyIP(5005)</c>.</summary>
    [GeneratedRegex(@"\bListen(?:AnyIP|Localhost)?\(\s*(?:IPAddress\.\w+\s*,\s*)?(?<port>\d{2,5})\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex KestrelListen();

    /// <summary>appsettings.json's <c>"Urls"</c> or a Kestrel endpoint's <c>"Url"</c>.</summary>
    [GeneratedRegex("""
        "Urls?"\s*:\s*(?<arg>"[^"]*")
        """, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex AspNetCoreSettingsUrls();

    /// <summary>launchSettings.json's <c>"applicationUrl"</c>: a development profile, so below the code and the settings.</summary>
    [GeneratedRegex("""
        "applicationUrl"\s*:\s*(?<arg>"[^"]*")
        """, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex LaunchSettingsUrl();

    // --- Rust -----------------------------------------------------------------------------------------------------

    /// <summary><c>TcpListener::bind("0.0.0.0:3000")</c>, Actix's <c>.bind("0.0.0.0:8080")</c>.</summary>
    [GeneratedRegex("""\bbind\(\s*(?<arg>"[^"]*")""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex RustBindString();

    /// <summary>Actix's <c>.bind(("0.0.0.0", 8080))</c>.</summary>
    [GeneratedRegex("""\bbind\(\s*\(\s*"[^"]*"\s*,\s*(?<port>\d{2,5})\s*\)""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex RustBindTuple();

    /// <summary><c>SocketAddr::from(([0, 0, 0, 0], 3000))</c>.</summary>
    [GeneratedRegex(@"SocketAddr::from\(\(\s*\[[^\]]*\]\s*,\s*(?<port>\d{2,5})\s*\)\)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex RustSocketAddr();
}
