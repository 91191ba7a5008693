namespace DeployMind.Infrastructure.Nginx;

/// <summary>The <c>nginx:</c> section: where the traffic router's nginx lives on a host and how it is driven.</summary>
/// <remarks>
/// Paths are paths on the host the commands run on (here or over SSH); a leading <c>~/</c> is that host's home.
/// Paths end up in nginx configuration, so they may not contain quotes, backslashes, <c>$</c> or control characters.
/// </remarks>
public sealed class NginxOptions
{
    public const string SectionName = "nginx";

    /// <summary>Managed (DeployMind's own nginx) or ConfD (site files in an existing nginx's conf.d).</summary>
    public NginxMode Mode { get; set; } = NginxMode.Managed;

    /// <summary>The nginx program: a name on PATH or a path.</summary>
    public string Binary { get; set; } = "nginx";

    /// <summary>Managed: the instance's prefix directory (conf/, conf/sites/, logs/, temp/ inside it).</summary>
    public string Prefix { get; set; } = "~/.deploymind/nginx";

    /// <summary>Managed: <c>worker_processes</c>, "auto" or a number.</summary>
    public string WorkerProcesses { get; set; } = "auto";

    /// <summary>The address sites listen on (an IPv4 address, or an IPv6 address in brackets).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// ConfD: the directory the running nginx includes inside its <c>http</c> block with a <c>*.conf</c> glob (as
    /// conf.d is): the router keeps <c>.next</c>/<c>.previous</c> files beside each site, which that glob skips.
    /// </summary>
    public string ConfDirectory { get; set; } = "/etc/nginx/conf.d";

    /// <summary>ConfD: the running nginx's main configuration, tested with <c>nginx -t -c</c>.</summary>
    public string MainConfigPath { get; set; } = "/etc/nginx/nginx.conf";

    /// <summary>ConfD: the command (program and arguments) that reloads the running nginx; empty for <c>&lt;Binary&gt; -s reload</c>.</summary>
    public IList<string> ReloadCommand { get; set; } = [];

    /// <summary>
    /// ConfD: the running nginx's error log, read when a reload does not take effect (nginx reports why only there).
    /// Managed: always <c>&lt;Prefix&gt;/logs/error.log</c>.
    /// </summary>
    public string ErrorLogPath { get; set; } = "/var/log/nginx/error.log";

    /// <summary>
    /// How long, after a reload, the router waits for nginx to serve the site it just wrote (its generation on
    /// <c>/.deploymind/route</c>) before it calls the switch failed and puts the previous site back.
    /// </summary>
    /// <remarks>A duration like 5s or 500ms.</remarks>
    public string ReloadConfirmTimeout { get; set; } = "5s";

    /// <summary>Where the per-app access logs go; empty for <c>&lt;Prefix&gt;/logs</c> (Managed) or <c>/var/log/nginx</c> (ConfD).</summary>
    public string? AccessLogDirectory { get; set; }

    /// <summary>Idle keep-alive connections each worker keeps open to an app's upstream servers.</summary>
    public int UpstreamKeepalive { get; set; } = 16;

    /// <summary>
    /// Managed: an app's access log larger than this (bytes) is rotated to <c>&lt;log&gt;.1</c> (replacing the previous
    /// one) and nginx writes a new one; checked at route changes and traffic reads, at most once a minute. So an
    /// app's logs take at most about twice this plus what it logs between two checks. 0 turns rotation off.
    /// </summary>
    public long AccessLogMaxBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Apps served by name on shared HTTP/HTTPS ports, and their certificates (<c>nginx.domains</c>).</summary>
    public NginxDomainOptions Domains { get; set; } = new();
}
