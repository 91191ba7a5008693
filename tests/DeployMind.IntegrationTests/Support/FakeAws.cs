using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using DeployMind.Infrastructure.Aws;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A loopback AWS (a real Kestrel server on 127.0.0.1, free port) for what SSM hosts use, driven by the real AWSSDK
/// clients pointed at <see cref="Url"/>: Systems Manager over the AWS JSON 1.1 protocol (SendCommand with
/// <c>AWS-RunShellScript</c>, GetCommandInvocation, CancelCommand, DescribeInstanceInformation), EC2's Query protocol
/// (DescribeInstances, XML) and path-style S3 (PutObject, GetObject — presigned too — DeleteObject). Each command runs on a
/// test "instance" (<see cref="FakeAwsInstance"/>): by default this machine, through <c>/bin/bash</c> under the instance's
/// launcher, answered as SSM does (see FakeAws.Ssm.cs). Every call is recorded; the requests' signatures are not checked.
/// </summary>
public sealed partial class FakeAws : IAsyncDisposable
{
    /// <summary>The fake access key id (the secret key is made up too; nothing checks signatures).</summary>
    public const string AccessKeyId = "AKIDEXAMPLE";

    /// <summary>The region the clients sign for unless a host names one.</summary>
    public const string Region = "eu-west-1";

    private readonly ConcurrentQueue<string> _calls = new();
    private WebApplication? _app;

    private FakeAws()
    {
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/ — every service's endpoint.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every call, in order: "AmazonSSM.SendCommand", "ec2:DescribeInstances", "s3:PUT bucket/key"...</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>Starts a fake on a free loopback port.</summary>
    public static async Task<FakeAws> StartAsync()
    {
        var fake = new FakeAws();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        fake._app = app;
        return fake;
    }

    /// <summary>Real SDK clients for this fake (fake credentials, <see cref="Region"/> unless a host names another).</summary>
    internal AwsClients Clients() => new(Url, new BasicAWSCredentials(AccessKeyId, "fake-secret-key-not-checked"), Region); // deploymind:allow (test data)

    /// <summary>Stops the server, killing whatever commands still run.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var invocation in _invocations.Values)
        {
            invocation.Kill("Cancelled");
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target)
        {
            _calls.Enqueue(target);
            await HandleSsmAsync(context, target);
            return;
        }

        if (request.Method == "POST" && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted);
            _calls.Enqueue("ec2:" + form["Action"]);
            await HandleEc2Async(context, form);
            return;
        }

        await HandleS3Async(context);
    }
}
