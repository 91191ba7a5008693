using DeployMind.Domain;

namespace DeployMind.Application.Notifications;

/// <summary>Reads a channel's secret from the environment variable or file its settings name (the first line of a file).</summary>
internal static class NotificationSecrets
{
    /// <exception cref="DeployMindException">The variable is unset or the file cannot be read; the message names the key, never a value.</exception>
    public static string? Read(string? variable, string? file, string key)
    {
        if (!string.IsNullOrWhiteSpace(variable))
        {
            var value = Environment.GetEnvironmentVariable(variable.Trim());
            return string.IsNullOrWhiteSpace(value)
                ? throw new DeployMindException($"{key}Variable: {variable.Trim()} is not set in DeployMind's environment.")
                : value.Trim();
        }

        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        var path = file.Trim();
        path = path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : path;
        try
        {
            var line = File.ReadLines(path).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(line) ? throw new DeployMindException($"{key}File: {path} is empty.") : line;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DeployMindException($"{key}File: cannot read {path} ({ex.GetType().Name}).", ex);
        }
    }
}
