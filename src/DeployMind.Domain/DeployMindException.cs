namespace DeployMind.Domain;

/// <summary>
/// A failure a user can act on. The message is one clear sentence (what, where, what to do);
/// the CLI prints it as one line and the server returns it as problem details.
/// </summary>
public class DeployMindException : Exception
{
    public DeployMindException(string message)
        : base(message)
    {
    }

    public DeployMindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeployMindException()
    {
    }
}
