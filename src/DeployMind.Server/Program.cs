using DeployMind.Application.Configuration;
using DeployMind.Domain;

namespace DeployMind.Server;

/// <summary>
/// The server on its own: <c>dotnet run --project src/DeployMind.Server -- [--config FILE] [--urls URLS] [--no-workers]
/// [--verbose]</c>. The same server as <c>deploymind serve</c> (one composition, <see cref="ServerHost"/>); SIGTERM or
/// Ctrl-C stops it after the jobs in flight.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ServerStart start;
        try
        {
            start = ServerArguments.Parse(args);
        }
        catch (InvalidInputException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }

        try
        {
            await using var app = await ServerHost.StartAsync(start, CancellationToken.None);
            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (InvalidConfigurationException ex)
        {
            foreach (var problem in ex.Problems)
            {
                await Console.Error.WriteLineAsync($"error: {problem}");
            }

            return 2;
        }
    }
}
