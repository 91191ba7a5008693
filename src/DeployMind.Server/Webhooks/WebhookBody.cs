using System.Buffers;
using System.Security.Cryptography;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// A webhook body as it streams in: its HMAC-SHA256 under each secret is computed chunk by chunk, and the bytes are kept
/// — the first <c>memoryBytes</c> in pooled memory, the rest in a temporary file (0600, deleted when disposed) — so a
/// body costs the server a bounded amount of memory whatever its size. The whole body is only put together
/// (<see cref="ToArrayAsync"/>) once its signature checked.
/// </summary>
internal sealed class WebhookBody : IAsyncDisposable
{
    private const int ChunkBytes = 64 * 1024;

    private readonly int _memoryBytes;
    private byte[] _memory;
    private int _inMemory;
    private FileStream? _spill;

    private WebhookBody(int memoryBytes)
    {
        _memoryBytes = memoryBytes;
        _memory = ArrayPool<byte>.Shared.Rent(Math.Min(memoryBytes, ChunkBytes));
    }

    /// <summary>The body's length in bytes.</summary>
    public long Length { get; private set; }

    /// <summary>The body's HMAC-SHA256 under each key, in the keys' order.</summary>
    public IReadOnlyList<byte[]> Macs { get; private set; } = [];

    /// <summary>Whether part of the body went to a temporary file.</summary>
    public bool Spilled => _spill is not null;

    /// <summary>Reads <paramref name="source"/> to its end, hashing under each of <paramref name="keys"/>; null (and nothing kept) when it is over <paramref name="maxBytes"/>.</summary>
    /// <exception cref="Microsoft.AspNetCore.Http.BadHttpRequestException">The body stopped short or arrived too slowly (Kestrel's 400/408; its 413 is a null answer).</exception>
    public static async Task<WebhookBody?> ReadAsync(Stream source, IReadOnlyList<byte[]> keys, long maxBytes, int memoryBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keys);
        var body = new WebhookBody(memoryBytes);
        var hashes = keys.Select(key => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key)).ToList();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellationToken);
                }
                catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    await body.DisposeAsync();
                    return null;
                }

                if (read == 0)
                {
                    body.Macs = [.. hashes.Select(h => h.GetHashAndReset())];
                    return body;
                }

                if (body.Length + read > maxBytes)
                {
                    await body.DisposeAsync();
                    return null;
                }

                foreach (var hash in hashes)
                {
                    hash.AppendData(chunk, 0, read);
                }

                await body.KeepAsync(chunk.AsMemory(0, read), cancellationToken);
            }
        }
        catch
        {
            await body.DisposeAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            foreach (var hash in hashes)
            {
                hash.Dispose();
            }
        }
    }

    /// <summary>The whole body, in one array: only for a body whose signature checked.</summary>
    public async Task<byte[]> ToArrayAsync(CancellationToken cancellationToken)
    {
        var all = new byte[Length];
        _memory.AsSpan(0, _inMemory).CopyTo(all);
        if (_spill is not null)
        {
            _spill.Position = 0;
            await _spill.ReadExactlyAsync(all.AsMemory(_inMemory), cancellationToken);
        }

        return all;
    }

    public async ValueTask DisposeAsync()
    {
        if (_spill is not null)
        {
            await _spill.DisposeAsync();
            _spill = null;
        }

        if (_memory.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_memory);
            _memory = [];
        }
    }

    private async Task KeepAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Length += bytes.Length;
        if (_spill is null)
        {
            var room = _memoryBytes - _inMemory;
            var here = Math.Min(room, bytes.Length);
            if (_inMemory + here > _memory.Length)
            {
                // Grow in the pool, up to the memory share: most deliveries are a few kilobytes.
                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_memoryBytes, Math.Max(_memory.Length * 2, _inMemory + here)));
                _memory.AsSpan(0, _inMemory).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_memory);
                _memory = larger;
            }

            bytes.Span[..here].CopyTo(_memory.AsSpan(_inMemory));
            _inMemory += here;
            bytes = bytes[here..];
            if (bytes.IsEmpty)
            {
                return;
            }

            _spill = CreateSpillFile();
        }

        await _spill.WriteAsync(bytes, cancellationToken);
    }

    private static FileStream CreateSpillFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"deploymind-webhook-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
