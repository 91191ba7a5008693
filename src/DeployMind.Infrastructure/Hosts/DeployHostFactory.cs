using System.Collections.Concurrent;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Hosts;
using DeployMind.Infrastructure.Aws;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>
/// Builds a <see cref="DeployHost"/> per configured host: this machine (the local runner, the HTTP probe), an SSH
/// host (an SSH runner, curl on the host) or an EC2 instance through AWS SSM (an SSM runner, curl on the instance). Docker, nginx and port allocation go through the host's runner, so the same
/// deploy logic runs here and there. Hosts are cached by their settings; their connections close with the container.
/// </summary>
internal sealed partial class DeployHostFactory : IDeployHostFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, (DeployHost Host, IDisposable? Connection)> _hosts = new(StringComparer.Ordinal);
    private readonly ICommandRunner _local;
    private readonly IHttpProbe _localProbe;
    private readonly NginxOptions _nginx;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Lazy<AwsClients> _aws;
    private readonly bool _ownsAws;

    public DeployHostFactory(ICommandRunner local, IHttpProbe localProbe, IOptions<NginxOptions> nginx, TimeProvider time, ILoggerFactory loggers, AwsClients? aws = null)
    {
        ArgumentNullException.ThrowIfNull(nginx);
        _local = local;
        _localProbe = localProbe;
        _nginx = nginx.Value;
        _time = time;
        _loggers = loggers;
        _ownsAws = aws is null;
        _aws = aws is not null ? new Lazy<AwsClients>(aws) : new Lazy<AwsClients>(() => new AwsClients());
    }

    public DeployHost Create(HostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _hosts.GetOrAdd(Key(options), _ => Build(options)).Host with { Name = options.Name };
    }

    /// <summary>The command runner of a configured host (the one its deploys use).</summary>
    public ICommandRunner RunnerFor(HostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (AddressOf(options) is HostAddress.LocalHost)
        {
            return _local;
        }

        var (_, connection) = _hosts.GetOrAdd(Key(options), _ => Build(options));
        return (ICommandRunner)connection!;
    }

    /// <summary>The nginx router of a configured host (the one its deploys use).</summary>
    public NginxTrafficRouter RouterFor(HostOptions options) => (NginxTrafficRouter)Create(options).Router;

    public void Dispose()
    {
        foreach (var (_, connection) in _hosts.Values)
        {
            connection?.Dispose();
        }

        if (_ownsAws && _aws.IsValueCreated)
        {
            _aws.Value.Dispose();
        }
    }

    private static string Key(HostOptions options) => AddressOf(options) switch
    {
        HostAddress.LocalHost => HostAddress.LocalName,
        HostAddress.Ssm ssm => $"{ssm}|{options.Ssm?.S3Bucket}|{options.Ssm?.S3Prefix}",
        _ => $"{options.Ssh}|{options.Key}|{options.KnownHosts}|{options.StrictHostKeyChecking}",
    };

    private (DeployHost Host, IDisposable? Connection) Build(HostOptions options)
    {
        switch (AddressOf(options))
        {
            case HostAddress.Ssh ssh:
                var runner = CreateSshRunner(options, ssh);
                return (Assemble(options.Name, runner, new CommandHttpProbe(runner)), runner);
            case HostAddress.Ssm ssm:
                var ssmRunner = CreateSsmRunner(options, ssm);
                return (Assemble(options.Name, ssmRunner, new CommandHttpProbe(ssmRunner)), ssmRunner);
            default:
                // This machine: the engine's API on its socket for a deploy's critical steps (no docker process each time),
                // when the CLI would reach that same engine; the CLI otherwise (and for everything else).
                var engine = _local is LocalProcessRunner
                    && DockerEngine.LocalSocket(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) is { } socket
                    ? new DockerEngine(socket)
                    : null;
                return (Assemble(options.Name, _local, _localProbe, engine), engine);
        }
    }

    // The host's address, parsed once per call site from its settings; a malformed one names the host.
    private static HostAddress AddressOf(HostOptions options) =>
        options.Ssm is not null ? SsmAddressOf(options)
        : HostAddress.TryParse(options.Ssh, out var address, out var error)
            ? address
            : throw new InvalidInputException($"Host {options.Name}: ssh '{options.Ssh}' is not an SSH address ({error}); write user@host or ssh://user@host:port.");

    private DeployHost Assemble(string name, ICommandRunner runner, IHttpProbe probe, DockerEngine? engine = null) =>
        new(name,
            engine is null ? new DockerContainerRuntime(runner) : new DockerEngineRuntime(new DockerContainerRuntime(runner), engine, runner.Name),
            new NginxTrafficRouter(runner, _nginx, _time, _loggers.CreateLogger<NginxTrafficRouter>(), fetchInProcess: ReferenceEquals(runner, _local)),
            probe,
            new ListeningPortAllocator(runner, local: ReferenceEquals(runner, _local) && runner is LocalProcessRunner));
}
