using DeployMind.Application.Notifications;
using DeployMind.Domain;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace DeployMind.Infrastructure.Notifications;

/// <summary>
/// Email over SMTP (MailKit): one message to the channel's recipients, the title as subject, the facts and the link
/// as plain text and as simple HTML. <c>smtp.security</c>: auto (TLS on 465, STARTTLS when the server offers it),
/// starttls (required), tls (implicit) or none; a login when <c>smtp.user</c> is set.
/// </summary>
internal sealed class EmailSender : INotificationSender
{
    public string Type => "email";

    public async Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(target);
        var options = target.Options;
        var smtp = options.Smtp;
        using var message = Message(notice, options);
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(smtp.Host!.Trim(), smtp.Port, Security(smtp.Security), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(smtp.User))
            {
                await client.AuthenticateAsync(smtp.User.Trim(), target.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MailKit.ProtocolException or MailKit.CommandException or AuthenticationException or System.Net.Sockets.SocketException or IOException or SslHandshakeException)
        {
            throw new DeployMindException($"SMTP {smtp.Host}:{smtp.Port}: {ex.Message}", ex);
        }
    }

    /// <summary>The email for <paramref name="notice"/>.</summary>
    public static MimeMessage Message(DeploymentNotice notice, NotificationChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(options);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From!.Trim()));
        foreach (var to in options.To)
        {
            message.To.Add(MailboxAddress.Parse(to.Trim()));
        }

        message.Subject = "[DeployMind] " + notice.Title;
        message.Headers.Add("X-DeployMind-Event", notice.Event.Name());
        var html = "<p><strong><a href=\"" + Html(notice.Link.AbsoluteUri) + "\">" + Html(notice.Title) + "</a></strong></p><table>"
            + string.Concat(notice.Facts.Select(f => $"<tr><th align=\"left\">{Html(f.Label)}</th><td>{Html(f.Value)}</td></tr>"))
            + "</table><p><a href=\"" + Html(notice.Link.AbsoluteUri) + "\">Open deployment " + Html(notice.ShortId) + "</a></p>";
        message.Body = new BodyBuilder { TextBody = notice.PlainText(), HtmlBody = html }.ToMessageBody();
        return message;
    }

    private static SecureSocketOptions Security(string? security) => security?.Trim().ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "starttls" => SecureSocketOptions.StartTls,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    private static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);
}
