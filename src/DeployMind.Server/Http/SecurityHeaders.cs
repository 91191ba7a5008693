namespace DeployMind.Server.Http;

/// <summary>
/// Headers on every answer the server writes (errors included): nothing it sends is sniffed into another type, framed,
/// run as a page's script or style, leaks its URL as a referrer, or is cached — unless an endpoint says otherwise about
/// caching. Answers Kestrel writes on its own (a malformed request line) carry none.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>The policy of every answer: JSON, problems, metrics and event streams load nothing and are framed nowhere.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>Adds the headers to every answer, as it starts.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                if (!headers.ContainsKey("Content-Security-Policy"))
                {
                    // A page of the dashboard sets its own (its script and style); everything else loads nothing.
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                }

                headers["Referrer-Policy"] = "no-referrer";
                if (!headers.ContainsKey("Cache-Control"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
    }
}
