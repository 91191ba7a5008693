using System.Globalization;

namespace DeployMind.Server.Dashboard;

/// <summary>How the pages write times, durations, shares and states.</summary>
public static class Show
{
    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var span = now - at;
        return span.TotalSeconds < 0 ? "just now"
            : span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds} s ago"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min ago"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours} h ago"
            : $"{(int)span.TotalDays} days ago";
    }

    public static string Seconds(double seconds) => seconds < 60
        ? seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s";

    public static string Percent(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static string Ms(double ms) => ms.ToString("0", CultureInfo.InvariantCulture) + " ms";

    public static string Commit7(string? commit) => commit is { Length: > 7 } c ? c[..7] : commit ?? "—";

    /// <summary>The CSS class of a state's badge: ok, bad, busy or idle.</summary>
    public static string StateClass(string state) => state switch
    {
        "succeeded" => "badge ok",
        "failed" or "rolled_back" => "badge bad",
        "cancelled" or "superseded" => "badge idle",
        _ => "badge busy",
    };

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
