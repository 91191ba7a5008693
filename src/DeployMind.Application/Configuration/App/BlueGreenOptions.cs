namespace DeployMind.Application.Configuration;

/// <summary><c>blueGreen:</c>.</summary>
public sealed class BlueGreenOptions
{
    /// <summary>How long the old colour stays warm while the new one is watched.</summary>
    public string ObservationWindow { get; set; } = "2m";
}
