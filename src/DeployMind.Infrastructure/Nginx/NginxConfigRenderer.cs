using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Renders nginx configuration as text: the managed instance's main file and one site per app. Pure: no I/O, and
/// every value is validated (<see cref="NginxRouteValidator"/>) before it reaches the text.
/// </summary>
internal static partial class NginxConfigRenderer
{
    /// <summary>
    /// The access log line: one JSON object per request. Every value is a string (escape=json quotes them safely);
    /// <c>$msec</c> is when the request ended, in seconds with millisecond precision, and decides its time window.
    /// <see cref="NginxAccessLogReader"/> reads the first seven keys by position on the host: add new keys at the end.
    /// </summary>
    public const string LogFormat =
        "{\"msec\":\"$msec\",\"time\":\"$time_iso8601\",\"upstream_addr\":\"$upstream_addr\"," +
        "\"status\":\"$status\",\"upstream_status\":\"$upstream_status\",\"request_time\":\"$request_time\"," +
        "\"upstream_response_time\":\"$upstream_response_time\",\"method\":\"$request_method\",\"uri\":\"$request_uri\"," +
        "\"bytes\":\"$body_bytes_sent\"}";

    /// <summary>
    /// The path every site answers with its generation (loopback only, not logged): after a reload the router asks it
    /// until nginx serves the generation just written, so a switch is confirmed by what nginx serves.
    /// </summary>
    public const string RoutePath = "/.deploymind/route";

    /// <summary>The comment line that names a site file's generation.</summary>
    public const string GenerationMarker = "# deploymind-generation: ";

    /// <summary>The upstream block's name for <paramref name="app"/>.</summary>
    public static string UpstreamName(string app) => "dm_" + app;

    /// <summary>
    /// The log format's name for <paramref name="app"/>. Each site defines its own so that a site file is complete on
    /// its own: the same file works in our prefix and in a shared conf.d, where no main file of ours defines it.
    /// </summary>
    public static string LogFormatName(string app) => "dm_json_" + app;

    /// <summary>
    /// The variable that is 1 for <paramref name="app"/>'s users' requests (<paramref name="users"/>) or for its probe
    /// requests: letters, digits and '_' only, so '_' is doubled and '-' becomes "_h" (distinct apps, distinct names).
    /// </summary>
    public static string ProbeVariable(string app, bool users) =>
        (users ? "$dm_users_" : "$dm_probes_") + app.Replace("_", "__", StringComparison.Ordinal).Replace("-", "_h", StringComparison.Ordinal);

    /// <summary>The users' access log line: with a probe marker, only requests without it.</summary>
    private static string AccessLog(RouteSpec route, string accessLogPath) =>
        route.ProbeMarker is null
            ? $"    access_log \"{accessLogPath}\" {LogFormatName(route.App)};"
            : $"    access_log \"{accessLogPath}\" {LogFormatName(route.App)} if={ProbeVariable(route.App, users: true)};";

    /// <summary>The main configuration of the managed instance in <paramref name="layout"/>.</summary>
    public static string RenderMainConfig(NginxLayout layout, string workerProcesses)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Prefix is null || layout.PidPath is null || layout.TempDirectory is null)
        {
            throw new ArgumentException("The main configuration is only rendered for a managed instance.", nameof(layout));
        }

        foreach (var path in new[] { layout.Prefix, layout.SitesDirectory, layout.AccessLogDirectory })
        {
            if (!NginxRouteValidator.IsSafePath(path))
            {
                throw new ArgumentException($"The path '{path}' cannot be used in an nginx configuration.", nameof(layout));
            }
        }

        var temp = layout.TempDirectory;
        return $$"""
            # Managed by DeployMind: the main configuration of its own nginx instance (prefix {{layout.Prefix}}).
            # Rewritten when the options change; sites live in {{layout.SitesDirectory}}, one file per app.
            #
            # No `user` directive, on purpose. Run by root, the master drops its workers to nginx's built-in unprivileged
            # user (nobody); run by a normal user, everything runs as that user (where `user` would only be ignored with a
            # warning). Either way the workers only write through files the master opened (the logs) and never spool request
            # or response bodies to temp files (below), so a prefix inside a private home (/root is 0700) works too.

            worker_processes {{workerProcesses}};
            pid "{{layout.PidPath}}";
            error_log "{{layout.ErrorLogPath}}" warn;

            events {
                worker_connections 1024;
            }

            http {
                default_type application/octet-stream;
                server_tokens off;
                # Only the sites' own JSON logs; no catch-all access log.
                access_log off;

                # Inside the prefix, so nothing falls back to the packaged paths (/var/lib/nginx), unwritable for a normal user.
                client_body_temp_path "{{temp}}/client_body";
                proxy_temp_path "{{temp}}/proxy";
                fastcgi_temp_path "{{temp}}/fastcgi";
                uwsgi_temp_path "{{temp}}/uwsgi";
                scgi_temp_path "{{temp}}/scgi";
                # Stream bodies instead of spooling them to disk: the workers may not be able to reach the prefix (see above).
                proxy_request_buffering off;
                proxy_max_temp_file_size 0;

                # No server listens on 80: each site listens on its own address and port.
                include "{{layout.SitesDirectory}}/*.conf";
            }

            """;
    }

    /// <summary>
    /// The site of <paramref name="route"/>: its upstream, its server, its JSON access log, and its
    /// <paramref name="generation"/> (a new one per write) answered on <see cref="RoutePath"/>.
    /// </summary>
    /// <exception cref="DeployMind.Domain.InvalidInputException">The route is not valid.</exception>
    /// <remarks>With <see cref="RouteSpec.ProbeMarker"/>, requests carrying it are logged to <c>probeLogPath</c> instead of <c>accessLogPath</c> (then needed).</remarks>
    public static string RenderSite(RouteSpec route, string listenAddress, string accessLogPath, int keepalive, string generation, NginxSiteDomains? domains = null, string? probeLogPath = null)
    {
        NginxRouteValidator.Validate(route);
        if (route.Domains.Count > 0 && domains is null)
        {
            throw new ArgumentException($"Route '{route.App}' has domains; the shared ports to serve them on are needed.", nameof(domains));
        }

        if (domains is not null && route.Domains.Count > 0)
        {
            CheckDomains(domains);
        }

        if (!IsGeneration(generation))
        {
            throw new ArgumentException($"'{generation}' is not a generation (1 to 40 lower-case letters, digits or '-').", nameof(generation));
        }

        if (!NginxRouteValidator.IsListenAddress(listenAddress))
        {
            throw new ArgumentException($"'{listenAddress}' is not a listen address (IPv4, or IPv6 in brackets).", nameof(listenAddress));
        }

        if (!NginxRouteValidator.IsSafePath(accessLogPath))
        {
            throw new ArgumentException($"The path '{accessLogPath}' cannot be used in an nginx configuration.", nameof(accessLogPath));
        }

        if (route.ProbeMarker is not null && (probeLogPath is null || !NginxRouteValidator.IsSafePath(probeLogPath)))
        {
            throw new ArgumentException($"Route '{route.App}' has probe traffic; a probe log path that can be used in an nginx configuration is needed.", nameof(probeLogPath));
        }

        var upstream = UpstreamName(route.App);
        var text = new StringBuilder();
        text.Append(NginxRouteComment.Format(route)).Append('\n');
        text.Append(GenerationMarker).Append(generation).Append('\n');
        text.Append($"# Managed by DeployMind (app {route.App}): rewritten on every deploy, edits are lost.\n\n");
        text.Append($"log_format {LogFormatName(route.App)} escape=json '{LogFormat}';\n\n");
        if (route.ProbeMarker is { } marker)
        {
            // Canary probe requests carry this deployment's marker; they are logged apart so that users' figures stay users'.
            text.Append($"map $http_{RouteSpec.ProbeHeader.ToLowerInvariant().Replace('-', '_')} {ProbeVariable(route.App, users: true)} {{\n    default 1;\n    \"{marker}\" 0;\n}}\n");
            text.Append($"map $http_{RouteSpec.ProbeHeader.ToLowerInvariant().Replace('-', '_')} {ProbeVariable(route.App, users: false)} {{\n    default 0;\n    \"{marker}\" 1;\n}}\n\n");
            if (ProbesAsHttps(route, domains))
            {
                // Probes reach the app on its own port (plain HTTP); its users come over HTTPS: the app is told so for probes too.
                text.Append($"map $http_{RouteSpec.ProbeHeader.ToLowerInvariant().Replace('-', '_')} {ProbeSchemeVariable(route.App)} {{\n    default $scheme;\n    \"{marker}\" https;\n}}\n\n");
            }
        }

        text.Append($"upstream {upstream} {{\n");
        text.Append("    # Weighted round-robin: each server gets weight/sum of the requests.\n");
        foreach (var server in route.Servers)
        {
            text.Append($"    server {server.Address} weight={server.Weight};");
            text.Append(server.Label.Length > 0 ? $"  # {server.Label}\n" : "\n");
        }

        if (keepalive > 0)
        {
            text.Append($"    keepalive {keepalive};\n");
        }

        text.Append("}\n\n");
        text.Append("server {\n");
        text.Append($"    listen {listenAddress}:{route.ListenPort};\n");
        if (route.ServerName is not null)
        {
            text.Append($"    server_name {route.ServerName};\n");
        }

        text.Append(AccessLog(route, accessLogPath)).Append('\n');
        if (route.ProbeMarker is not null)
        {
            text.Append($"    access_log \"{probeLogPath}\" {LogFormatName(route.App)} if={ProbeVariable(route.App, users: false)};\n");
        }

        text.Append('\n');
        text.Append("    # This file's generation, for DeployMind's check that a reload took effect: loopback only, not logged.\n");
        text.Append($"    location = {RoutePath} {{\n");
        text.Append("        allow 127.0.0.1;\n");
        text.Append("        allow ::1;\n");
        if (ProbeAddress(listenAddress) is var probe && probe != "127.0.0.1" && probe != "[::1]")
        {
            // A request from the host to its own non-loopback address comes from that address.
            text.Append($"        allow {probe.Trim('[', ']')};\n");
        }

        text.Append("        deny all;\n");
        text.Append("        access_log off;\n");
        text.Append("        default_type text/plain;\n");
        text.Append($"        return 200 \"{generation}\";\n");
        text.Append("    }\n\n");
        AppendProxy(text, upstream, ProbesAsHttps(route, domains) ? ProbeSchemeVariable(route.App) : "$scheme");
        text.Append("}\n");
        if (route.Domains.Count > 0)
        {
            AppendDomainServers(text, route, domains!, accessLogPath, upstream);
        }

        return text.ToString();
    }

    /// <summary>
    /// The temporary site that answers only ACME HTTP-01 challenges for <paramref name="names"/> on the shared HTTP port,
    /// while no site of <paramref name="app"/> serves them yet (everything else: 404).
    /// </summary>
    public static string RenderChallengeSite(string app, IReadOnlyList<string> names, NginxSiteDomains domains)
    {
        NginxRouteValidator.ValidateApp(app);
        NginxRouteValidator.ValidateDomains(app, names);
        CheckDomains(domains);
        var text = new StringBuilder();
        text.Append($"# Managed by DeployMind: answers ACME challenges for app {app} while its certificate is issued; removed right after.\n\n");
        text.Append("server {\n");
        text.Append($"    listen {domains.ListenAddress}:{domains.HttpPort};\n");
        text.Append($"    server_name {string.Join(' ', names)};\n");
        text.Append("    access_log off;\n");
        AppendChallenge(text, domains.ChallengeDirectory);
        text.Append("    location / {\n");
        text.Append("        return 404;\n");
        text.Append("    }\n");
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>
    /// The catch-all of the shared ports (<see cref="NginxLayout.DefaultSitePath"/>): a request whose Host (or TLS SNI)
    /// names no app's domain gets no app. HTTP: <c>444</c>, nginx closes the connection without sending anything (no page,
    /// no header, nothing about any app). HTTPS: <c>ssl_reject_handshake on</c> (nginx 1.19.4 and later), the handshake
    /// is refused before any certificate is sent, so no app's certificate names its domains to a scanner. A null port
    /// leaves that port without a catch-all (see <see cref="NginxTrafficRouter"/>).
    /// </summary>
    public static string RenderDefaultSite(string listenAddress, int? httpPort, int? httpsPort)
    {
        if (!NginxRouteValidator.IsListenAddress(listenAddress))
        {
            throw new ArgumentException($"'{listenAddress}' is not a listen address (IPv4, or IPv6 in brackets).", nameof(listenAddress));
        }

        if (httpPort is < 1 or > 65535 || httpsPort is < 1 or > 65535 || (httpPort is null && httpsPort is null))
        {
            throw new ArgumentException("The catch-all needs at least one of the shared ports (1-65535).", nameof(httpPort));
        }

        var text = new StringBuilder();
        text.Append("# Managed by DeployMind: the catch-all of the shared ports, written while a site serves domains on them.\n");
        text.Append("# A request whose Host (or TLS server name) is no app's domain gets no app and no app's certificate.\n");
        if (httpPort is { } http)
        {
            text.Append("\nserver {\n");
            text.Append(string.Create(CultureInfo.InvariantCulture, $"    listen {listenAddress}:{http} default_server;\n"));
            text.Append("    server_name _;\n");
            text.Append("    access_log off;\n");
            text.Append("    # 444: nginx closes the connection without a response (nothing about any app is sent).\n");
            text.Append("    return 444;\n");
            text.Append("}\n");
        }

        if (httpsPort is { } https)
        {
            text.Append("\nserver {\n");
            text.Append(string.Create(CultureInfo.InvariantCulture, $"    listen {listenAddress}:{https} ssl http2 default_server;\n"));
            text.Append("    server_name _;\n");
            text.Append("    access_log off;\n");
            text.Append("    # The TLS handshake is refused before any certificate is sent (nginx 1.19.4 and later).\n");
            text.Append("    ssl_reject_handshake on;\n");
            text.Append("}\n");
        }

        return text.ToString();
    }

    private static void CheckDomains(NginxSiteDomains domains)
    {
        if (!NginxRouteValidator.IsListenAddress(domains.ListenAddress) || domains.HttpPort is < 1 or > 65535 || domains.HttpsPort is < 1 or > 65535)
        {
            throw new ArgumentException($"'{domains.ListenAddress}:{domains.HttpPort}/{domains.HttpsPort}' are not a listen address and ports.", nameof(domains));
        }

        foreach (var path in new[] { domains.ChallengeDirectory, domains.CertificateFile, domains.KeyFile }.Where(p => p is not null))
        {
            if (!NginxRouteValidator.IsSafePath(path) || path!.StartsWith('~'))
            {
                throw new ArgumentException($"The path '{path}' cannot be used in an nginx configuration.", nameof(domains));
            }
        }

        if ((domains.CertificateFile is null) != (domains.KeyFile is null))
        {
            throw new ArgumentException("A certificate needs its key, and a key its certificate.", nameof(domains));
        }
    }

    /// <summary>The app's servers by name on the shared ports: HTTP (challenges, then a redirect or the app) and, with a certificate, HTTPS.</summary>
    private static void AppendDomainServers(StringBuilder text, RouteSpec route, NginxSiteDomains domains, string accessLogPath, string upstream)
    {
        var names = string.Join(' ', route.Domains);
        var https = domains.CertificateFile is not null;
        text.Append("\n# The app by name on the host's shared ports (its domains).\n");
        text.Append("server {\n");
        text.Append($"    listen {domains.ListenAddress}:{domains.HttpPort};\n");
        text.Append($"    server_name {names};\n");
        text.Append(AccessLog(route, accessLogPath)).Append('\n');
        AppendChallenge(text, domains.ChallengeDirectory);
        if (https && route.Tls is { Redirect: true })
        {
            var port = domains.HttpsPort == 443 ? string.Empty : ":" + domains.HttpsPort.ToString(CultureInfo.InvariantCulture);
            text.Append("    location / {\n");
            text.Append($"        return 301 https://$host{port}$request_uri;\n");
            text.Append("    }\n");
        }
        else
        {
            AppendProxy(text, upstream);
        }

        text.Append("}\n");
        if (!https)
        {
            return;
        }

        text.Append("\nserver {\n");
        text.Append($"    listen {domains.ListenAddress}:{domains.HttpsPort} ssl http2;\n");
        text.Append($"    server_name {names};\n");
        text.Append(AccessLog(route, accessLogPath)).Append('\n');
        text.Append($"    ssl_certificate \"{domains.CertificateFile}\";\n");
        text.Append($"    ssl_certificate_key \"{domains.KeyFile}\";\n");
        text.Append("    ssl_protocols TLSv1.2 TLSv1.3;\n");
        text.Append("    ssl_session_cache shared:dm_ssl:10m;\n");
        text.Append("    ssl_session_timeout 1d;\n");
        if (route.Tls?.Hsts is { } hsts && hsts > TimeSpan.Zero)
        {
            text.Append($"    add_header Strict-Transport-Security \"max-age={(long)hsts.TotalSeconds}\" always;\n");
        }

        AppendProxy(text, upstream);
        text.Append("}\n");
    }

    private static void AppendChallenge(StringBuilder text, string challengeDirectory)
    {
        text.Append("    # ACME HTTP-01: the CA fetches the tokens the ACME client writes to the webroot.\n");
        text.Append("    location ^~ /.well-known/acme-challenge/ {\n");
        text.Append($"        root \"{challengeDirectory}\";\n");
        text.Append("        default_type text/plain;\n");
        text.Append("        try_files $uri =404;\n");
        text.Append("    }\n");
    }

    /// <summary>
    /// Whether canary probe requests on the app's own port are forwarded as HTTPS (<c>X-Forwarded-Proto</c>): the app
    /// has probe traffic and its domains are served over HTTPS, as its users reach it.
    /// </summary>
    private static bool ProbesAsHttps(RouteSpec route, NginxSiteDomains? domains) =>
        route.ProbeMarker is not null && route.Domains.Count > 0 && domains?.CertificateFile is not null;

    /// <summary>The variable that is "https" for <paramref name="app"/>'s marked probe requests and <c>$scheme</c> otherwise.</summary>
    public static string ProbeSchemeVariable(string app) =>
        "$dm_probe_scheme_" + app.Replace("_", "__", StringComparison.Ordinal).Replace("-", "_h", StringComparison.Ordinal);

    private static void AppendProxy(StringBuilder text, string upstream, string scheme = "$scheme")
    {
        text.Append("    location / {\n");
        text.Append($"        proxy_pass http://{upstream};\n");
        text.Append("        # HTTP/1.1 without a Connection header: upstream connections are kept alive.\n");
        text.Append("        proxy_http_version 1.1;\n");
        text.Append("        proxy_set_header Connection \"\";\n");
        text.Append("        proxy_set_header Host $host;\n");
        text.Append("        proxy_set_header X-Real-IP $remote_addr;\n");
        text.Append("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n");
        text.Append($"        proxy_set_header X-Forwarded-Proto {scheme};\n");
        text.Append("        proxy_set_header X-Forwarded-Host $host;\n");
        text.Append("        proxy_connect_timeout 5s;\n");
        text.Append("        # Try the next server only when the connection fails (`error`: refused or reset before an answer),\n");
        text.Append("        # e.g. a drained server that has just stopped, or a stale keep-alive connection. Never on `timeout`\n");
        text.Append("        # or http_5xx: the retry would be answered by another server (the stable one) and hide the canary's\n");
        text.Append("        # errors from the traffic analysis, which counts each request for the last server that handled it.\n");
        text.Append("        proxy_next_upstream error;\n");
        text.Append("    }\n");
    }

    /// <summary>The generation named in a site file, or null when it has none (written before generations existed).</summary>
    public static string? GenerationOf(string site)
    {
        ArgumentNullException.ThrowIfNull(site);
        foreach (var line in site.Split('\n'))
        {
            if (line.StartsWith(GenerationMarker, StringComparison.Ordinal))
            {
                var generation = line[GenerationMarker.Length..].Trim();
                return IsGeneration(generation) ? generation : null;
            }
        }

        return null;
    }

    /// <summary>The ports the <c>listen</c> directives of a site file name (any site, ours or not; comments skipped).</summary>
    public static IReadOnlyList<int> ListenPortsOf(string site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var ports = new List<int>();
        foreach (var raw in site.Split('\n'))
        {
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = hash >= 0 ? raw[..hash] : raw;
            foreach (Match match in ListenDirective().Matches(line))
            {
                var value = match.Groups["value"].Value;
                var colon = value.LastIndexOf(':');
                var digits = colon >= 0 && !value.EndsWith(']') ? value[(colon + 1)..] : value;
                if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
                {
                    ports.Add(port);
                }
            }
        }

        return ports;
    }

    /// <summary>Where the host reaches a site listening on <paramref name="listenAddress"/>: the loopback for a wildcard.</summary>
    public static string ProbeAddress(string listenAddress) =>
        listenAddress switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" => "[::1]",
            _ => listenAddress,
        };

    public static bool IsGeneration(string? value) =>
        value is { Length: > 0 and <= 40 } && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    [GeneratedRegex(@"(?:^|[\s;{}])listen\s+(?<value>[^\s;]+)", RegexOptions.CultureInvariant)]
    private static partial Regex ListenDirective();
}
