using System.Text;
using DeployMind.Application.Deploy;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Renders nginx configuration as text: the managed instance's main file and one site per app. Pure: no I/O, and
/// every value is validated (<see cref="NginxRouteValidator"/>) before it reaches the text.
/// </summary>
internal static class NginxConfigRenderer
{
    /// <summary>
    /// The access log line: one JSON object per request. Every value is a string (escape=json quotes them safely);
    /// <c>$msec</c> is when the request ended, in seconds with millisecond precision, and decides its time window.
    /// </summary>
    public const string LogFormat =
        "{\"msec\":\"$msec\",\"time\":\"$time_iso8601\",\"upstream_addr\":\"$upstream_addr\"," +
        "\"status\":\"$status\",\"upstream_status\":\"$upstream_status\",\"request_time\":\"$request_time\"," +
        "\"upstream_response_time\":\"$upstream_response_time\",\"method\":\"$request_method\",\"uri\":\"$request_uri\"," +
        "\"bytes\":\"$body_bytes_sent\"}";

    /// <summary>The upstream block's name for <paramref name="app"/>.</summary>
    public static string UpstreamName(string app) => "dm_" + app;

    /// <summary>
    /// The log format's name for <paramref name="app"/>. Each site defines its own so that a site file is complete on
    /// its own: the same file works in our prefix and in a shared conf.d, where no main file of ours defines it.
    /// </summary>
    public static string LogFormatName(string app) => "dm_json_" + app;

    /// <summary>The main configuration of the managed instance in <paramref name="layout"/>.</summary>
    public static string RenderMainConfig(NginxLayout layout, string workerProcesses)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Prefix is null || layout.PidPath is null || layout.ErrorLogPath is null || layout.TempDirectory is null)
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

    /// <summary>The site of <paramref name="route"/>: its upstream, its server and its JSON access log.</summary>
    /// <exception cref="DeployMind.Domain.InvalidInputException">The route is not valid.</exception>
    public static string RenderSite(RouteSpec route, string listenAddress, string accessLogPath, int keepalive)
    {
        NginxRouteValidator.Validate(route);
        if (!NginxRouteValidator.IsListenAddress(listenAddress))
        {
            throw new ArgumentException($"'{listenAddress}' is not a listen address (IPv4, or IPv6 in brackets).", nameof(listenAddress));
        }

        if (!NginxRouteValidator.IsSafePath(accessLogPath))
        {
            throw new ArgumentException($"The path '{accessLogPath}' cannot be used in an nginx configuration.", nameof(accessLogPath));
        }

        var upstream = UpstreamName(route.App);
        var text = new StringBuilder();
        text.Append(NginxRouteComment.Format(route)).Append('\n');
        text.Append($"# Managed by DeployMind (app {route.App}): rewritten on every deploy, edits are lost.\n\n");
        text.Append($"log_format {LogFormatName(route.App)} escape=json '{LogFormat}';\n\n");

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

        text.Append($"    access_log \"{accessLogPath}\" {LogFormatName(route.App)};\n\n");
        text.Append("    location / {\n");
        text.Append($"        proxy_pass http://{upstream};\n");
        text.Append("        # HTTP/1.1 without a Connection header: upstream connections are kept alive.\n");
        text.Append("        proxy_http_version 1.1;\n");
        text.Append("        proxy_set_header Connection \"\";\n");
        text.Append("        proxy_set_header Host $host;\n");
        text.Append("        proxy_set_header X-Real-IP $remote_addr;\n");
        text.Append("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n");
        text.Append("        proxy_set_header X-Forwarded-Proto $scheme;\n");
        text.Append("        proxy_set_header X-Forwarded-Host $host;\n");
        text.Append("        proxy_connect_timeout 5s;\n");
        text.Append("        # Try the next server only when the connection fails (`error`: refused or reset before an answer),\n");
        text.Append("        # e.g. a drained server that has just stopped, or a stale keep-alive connection. Never on `timeout`\n");
        text.Append("        # or http_5xx: the retry would be answered by another server (the stable one) and hide the canary's\n");
        text.Append("        # errors from the traffic analysis, which counts each request for the last server that handled it.\n");
        text.Append("        proxy_next_upstream error;\n");
        text.Append("    }\n");
        text.Append("}\n");
        return text.ToString();
    }
}
