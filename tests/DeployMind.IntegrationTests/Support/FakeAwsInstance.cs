namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A test "EC2 instance" of <see cref="FakeAws"/>: its id, tags, whether its SSM agent is online, and how its commands run
/// — this machine by default; <see cref="Launcher"/> prefixes the shell (e.g. <c>ip netns exec deploymind-host2 env HOME=...</c>)
/// to run them somewhere else.
/// </summary>
public sealed record FakeAwsInstance(string InstanceId)
{
    /// <summary>EC2 tags, e.g. Name and role.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The SSM agent's PingStatus is Online (else ConnectionLost); commands to an offline instance are undeliverable.</summary>
    public bool Online { get; init; } = true;

    /// <summary>The EC2 state name ("running", "stopped"...).</summary>
    public string State { get; init; } = "running";

    /// <summary>Program and arguments placed before <c>/bin/bash &lt;script&gt;</c>; empty for this machine as it is.</summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];
}
