using System.Net;

namespace DeployMind.Server.Api;

/// <summary>
/// Counts failed bearer-token checks per client address (IPv6 by its /64, which one client usually holds whole) in a
/// fixed window: past <see cref="ServerLimits.FailedTokenLimit"/> within <see cref="ServerLimits.FailedTokenWindow"/>,
/// further failures are answered 429 with <c>Retry-After</c> until the window ends. A valid token is still accepted from
/// such an address (a client behind the same NAT as a guesser keeps working), and successes count for nothing. At most
/// <see cref="ServerLimits.FailedTokenAddresses"/> addresses are tracked; when that many are, expired ones are dropped
/// and new ones wait for room.
/// </summary>
internal sealed class FailedTokenThrottle
{
    private readonly ServerLimits _limits;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public FailedTokenThrottle(ServerLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
    }

    /// <summary>
    /// Counts a failed check from <paramref name="address"/>. Returns, when it is over the limit, how long until its window
    /// ends; <paramref name="crossed"/> says this failure is the first over it (worth one log line, not one per failure).
    /// </summary>
    public TimeSpan? Failed(IPAddress? address, out bool crossed)
    {
        crossed = false;
        var key = Key(address);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_windows.TryGetValue(key, out var window) || now - window.Start >= _limits.FailedTokenWindow)
            {
                if (!_windows.ContainsKey(key) && _windows.Count >= _limits.FailedTokenAddresses && !Prune(now))
                {
                    return null;
                }

                window = new Window(now, 0);
            }

            window = window with { Failures = window.Failures + 1 };
            _windows[key] = window;
            crossed = window.Failures == _limits.FailedTokenLimit + 1;
            return window.Failures > _limits.FailedTokenLimit ? window.Start + _limits.FailedTokenWindow - now : null;
        }
    }

    private bool Prune(DateTimeOffset now)
    {
        foreach (var (key, window) in _windows)
        {
            if (now - window.Start >= _limits.FailedTokenWindow)
            {
                _windows.Remove(key);
            }
        }

        return _windows.Count < _limits.FailedTokenAddresses;
    }

    private static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private readonly record struct Window(DateTimeOffset Start, int Failures);
}
