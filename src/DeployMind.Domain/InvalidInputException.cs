namespace DeployMind.Domain;

/// <summary>A value the user gave (a flag, a tag, a setting) is not valid; the message says which and what is expected.</summary>
public class InvalidInputException : DeployMindException
{
    public InvalidInputException(string message)
        : base(message)
    {
    }

    public InvalidInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidInputException()
    {
    }
}
