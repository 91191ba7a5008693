using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Delivery;

/// <summary>
/// Puts a release's image on every host before anything changes on any of them. With a registry the image built here is
/// tagged with its registry name and pushed, and each host that lacks that image id pulls it. Without one it is streamed
/// (<c>docker save</c>, gzip, into the host's <c>docker load</c> through its runner) to each host that lacks it. Hosts that
/// have the same image id already (this machine, a host on the same engine, a redeploy) get nothing. A few hosts at a
/// time; if any host cannot get the image, the deploy stops here with each failing host's own error.
/// </summary>
public sealed class ImageDelivery
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    private readonly IDeployHostFactory _hosts;
    private readonly IRegistryLogins _logins;
    private readonly TimeProvider _time;

    public ImageDelivery(IDeployHostFactory hosts, IRegistryLogins logins, TimeProvider time)
    {
        _hosts = hosts;
        _logins = logins;
        _time = time;
    }

    /// <summary>Pushes the release's image to its registry (if any), then gets it onto every host of the request that lacks it.</summary>
    /// <exception cref="DeployMindException">The push, or the delivery to one or more hosts, failed; nothing was changed on any host.</exception>
    public async Task DeliverAsync(DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var settings = request.Delivery;
        var image = request.Release.Image;
        var source = settings.Source ?? image;
        var local = _hosts.Create(new HostOptions()).Runtime;
        var sourceId = await local.ImageIdAsync(source, cancellationToken);
        RegistryLogin? login = null;
        if (settings.Registry is { } registry)
        {
            if (sourceId is null)
            {
                throw new DeployMindException($"The image {source} is not on this machine, so there is nothing to push to {registry}. Build it here first.");
            }

            login = await _logins.LoginAsync(registry, cancellationToken);
            if (!string.Equals(source, image, StringComparison.Ordinal))
            {
                await local.TagImageAsync(source, image, cancellationToken);
            }

            observer.Step("registry", $"pushing {image}");
            var started = _time.GetTimestamp();
            try
            {
                await local.PushImageAsync(image, login, cancellationToken);
            }
            catch (DeployMindException ex)
            {
                throw new DeployMindException($"Could not push {image} to {registry} ({ex.Message}). Nothing was changed on any host.", ex);
            }

            observer.Step("registry", $"pushed {image} in {Seconds(_time.GetElapsedTime(started))}");
        }

        if (request.Hosts.Count == 0)
        {
            return;
        }

        var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            request.Hosts.DistinctBy(h => h.Name),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Concurrency), CancellationToken = cancellationToken },
            async (host, token) =>
            {
                try
                {
                    await DeliverToAsync(host, local, source, image, sourceId, settings.Registry is not null, login, observer, token);
                }
                catch (DeployMindException ex)
                {
                    failures[host.Name] = ex.Message;
                }
            });

        if (!failures.IsEmpty)
        {
            var lines = request.Hosts.Where(h => failures.ContainsKey(h.Name)).Select(h => $"  {h.Name}: {failures[h.Name]}");
            throw new DeployMindException(
                $"The image {image} could not be put on {failures.Count} of {request.Hosts.Count} host(s); nothing was changed on any host:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
        }
    }

    private async Task DeliverToAsync(
        DeployHost host, IContainerRuntime local, string source, string image, string? sourceId, bool fromRegistry, RegistryLogin? login,
        IDeployObserver observer, CancellationToken cancellationToken)
    {
        var present = await host.Runtime.ImageIdAsync(image, cancellationToken);
        if (present is not null && (sourceId is null || present == sourceId))
        {
            return;
        }

        var started = _time.GetTimestamp();
        if (fromRegistry || sourceId is null)
        {
            // Without a local copy the image can only come from where its name points (a public or the hosts' own registry).
            observer.Step(host.Name, $"pulling {image}");
            await host.Runtime.PullImageAsync(image, login, cancellationToken);
            observer.Step(host.Name, $"pulled {image} in {Seconds(_time.GetElapsedTime(started))}");
        }
        else
        {
            observer.Step(host.Name, $"sending {image} (not on the host{(present is null ? string.Empty : " in this version")})");
            var sent = await StreamAsync(host, local, source, observer, cancellationToken);
            observer.Step(
                host.Name,
                $"sent {image}: {Megabytes(sent.Raw)} as {Megabytes(sent.Compressed)} compressed in {Seconds(_time.GetElapsedTime(started))}");
        }

        var delivered = await host.Runtime.ImageIdAsync(image, cancellationToken);
        if (delivered is null || (sourceId is not null && delivered != sourceId))
        {
            throw new DeployMindException(
                $"after the {(fromRegistry ? "pull" : "transfer")} the host has {(delivered is null ? "no image " + image : image + " as " + Short(delivered))}, not the one built here ({Short(sourceId)}).");
        }
    }

    // docker save here → gzip (fastest: the link, not the CPU, is usually the limit) → the host's docker load, counted both sides.
    private async Task<(long Raw, long Compressed)> StreamAsync(DeployHost host, IContainerRuntime local, string source, IDeployObserver observer, CancellationToken cancellationToken)
    {
        long raw = 0, compressed = 0;
        var lastReport = _time.GetTimestamp();
        void Progress()
        {
            if (_time.GetElapsedTime(lastReport) >= ProgressInterval)
            {
                lastReport = _time.GetTimestamp();
                observer.Progress(host.Name, $"sending image: {Megabytes(Interlocked.Read(ref raw))} read, {Megabytes(Interlocked.Read(ref compressed))} sent");
            }
        }

        await host.Runtime.LoadImageAsync(
            async (destination, token) =>
            {
                var sent = new CountingStream(destination, n => Interlocked.Add(ref compressed, n));
                await using (var gzip = new GZipStream(sent, CompressionLevel.Fastest, leaveOpen: true))
                {
                    var read = new CountingStream(gzip, n =>
                    {
                        Interlocked.Add(ref raw, n);
                        Progress();
                    });
                    await local.SaveImageAsync(source, read, token);
                }

                await destination.FlushAsync(token);
            },
            cancellationToken);
        return (raw, compressed);
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000.0:0.0} MB");

    private static string Seconds(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s");

    private static string Short(string? id) => id is null ? "none" : id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length > 19 ? id[..19] : id;

    /// <summary>A write-only pass-through that counts the bytes written.</summary>
    private sealed class CountingStream(Stream inner, Action<long> counted) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            counted(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            counted(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
