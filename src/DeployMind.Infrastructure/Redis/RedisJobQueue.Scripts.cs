namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// The queue's Lua scripts: each step that reads and then changes the queue runs as one script, so workers racing for
/// the same entry cannot interleave. Times (delays) are Redis's clock (<c>TIME</c>), like the idle times of the
/// visibility timeout. A delayed job is a sorted-set member <c>{manual|webhook}|{job id}|{job JSON}</c>.
/// </summary>
internal sealed partial class RedisJobQueue
{
    // Lua helpers shared by the scripts (prepended to them).
    private const string Helpers = """
        local function now_ms()
            local t = redis.call('TIME')
            return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end

        local function ensure_group(stream, group)
            redis.pcall('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
        end

        -- Whether entry id of stream is pending for consumer (not acked, not taken over).
        local function held(stream, group, consumer, id)
            local p = redis.pcall('XPENDING', stream, group, id, id, 1)
            return type(p) == 'table' and not p.err and p[1] ~= nil and p[1][2] == consumer
        end

        local function field(values, name)
            for i = 1, #values, 2 do
                if values[i] == name then
                    return values[i + 1]
                end
            end
            return nil
        end

        -- Back into its stream now (waking takers), or into the delayed set until due.
        local function requeue(stream, delayed, group, priority, id, json, delay_ms, channel)
            if tonumber(delay_ms) <= 0 then
                ensure_group(stream, group)
                redis.call('XADD', stream, '*', 'id', id, 'job', json)
                redis.call('PUBLISH', channel, '1')
            else
                redis.call('ZADD', delayed, now_ms() + tonumber(delay_ms), priority .. '|' .. id .. '|' .. json)
            end
        end

        """;

    // KEYS: stream, job key, [idempotency key]. ARGV: job id, job JSON, ttl s, group, wake channel.
    // → {1, id} added, or {0, id of the job the idempotency key enqueued}.
    private const string EnqueueScript = Helpers + """
        if KEYS[3] then
            local existing = redis.call('GET', KEYS[3])
            if existing then
                return {0, existing}
            end
            redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3])
        end
        redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
        ensure_group(KEYS[1], ARGV[4])
        redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'job', ARGV[2])
        redis.call('PUBLISH', ARGV[5], '1')
        return {1, ARGV[1]}
        """;

    // KEYS: manual stream, webhook stream, delayed set, deliveries hash. ARGV: group, consumer, min idle ms.
    // → {1|2 (stream), entry id, job JSON, deliveries}, or {0, ms until the next delayed job is due or -1}.
    private const string TakeScript = Helpers + """
        local group, consumer = ARGV[1], ARGV[2]
        local now = now_ms()
        ensure_group(KEYS[1], group)
        ensure_group(KEYS[2], group)

        local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
        for _, member in ipairs(due) do
            local a = string.find(member, '|', 1, true)
            local b = a and string.find(member, '|', a + 1, true)
            if b then
                local stream = KEYS[2]
                if string.sub(member, 1, a - 1) == 'manual' then
                    stream = KEYS[1]
                end
                redis.call('XADD', stream, '*', 'id', string.sub(member, a + 1, b - 1), 'job', string.sub(member, b + 1))
            end
            redis.call('ZREM', KEYS[3], member)
        end

        local function taken(index, entry)
            local id = field(entry[2], 'id')
            local deliveries = redis.call('HINCRBY', KEYS[4], id, 1)
            return {index, entry[1], field(entry[2], 'job'), deliveries}
        end

        -- A dead worker's jobs first (idle past the visibility timeout), manual before webhook.
        for i = 1, 2 do
            local cursor = '0-0'
            repeat
                local claimed = redis.call('XAUTOCLAIM', KEYS[i], group, consumer, ARGV[3], cursor, 'COUNT', 1)
                cursor = claimed[1]
                for _, entry in ipairs(claimed[2]) do
                    if entry then
                        return taken(i, entry)
                    end
                end
            until cursor == '0-0'
        end

        for i = 1, 2 do
            local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', KEYS[i], '>')
            if read and read[1] and read[1][2][1] then
                return taken(i, read[1][2][1])
            end
        end

        local next = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
        if next[2] then
            return {0, math.max(0, tonumber(next[2]) - now)}
        end
        return {0, -1}
        """;

    // KEYS: stream. ARGV: group, consumer, entry id. → 1 touched, 0 not held.
    private const string TouchScript = Helpers + """
        if not held(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then
            return 0
        end
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
        return 1
        """;

    // KEYS: stream, deliveries hash, job key. ARGV: group, consumer, entry id, job id, keep job key (1|0). → 1 acked, 0 not held.
    private const string AckScript = Helpers + """
        if not held(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then
            return 0
        end
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
        redis.call('XDEL', KEYS[1], ARGV[3])
        redis.call('HDEL', KEYS[2], ARGV[4])
        if ARGV[5] == '0' then
            redis.call('DEL', KEYS[3])
        end
        return 1
        """;

    // KEYS: stream, delayed set, deliveries hash. ARGV: group, consumer, entry id, job id, job JSON, delay ms, priority, wake channel.
    // → 1 released, 0 not held. The delivery is not counted.
    private const string ReleaseScript = Helpers + """
        if not held(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then
            return 0
        end
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
        redis.call('XDEL', KEYS[1], ARGV[3])
        if redis.call('HINCRBY', KEYS[3], ARGV[4], -1) <= 0 then
            redis.call('HDEL', KEYS[3], ARGV[4])
        end
        requeue(KEYS[1], KEYS[2], ARGV[1], ARGV[7], ARGV[4], ARGV[5], ARGV[6], ARGV[8])
        return 1
        """;

    // KEYS: stream, delayed set, deliveries hash, dead stream, job key.
    // ARGV: group, consumer, entry id, job id, job JSON, max deliveries, retry delay ms, priority, wake channel, error,
    //       at (Unix ms), keep job key (1|0), the lease's deliveries, dead-letter cap.
    // → 1 dead-lettered, 0 queued again, -1 not held.
    private const string FailScript = Helpers + """
        if not held(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then
            return -1
        end
        local deliveries = tonumber(redis.call('HGET', KEYS[3], ARGV[4]) or ARGV[13])
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
        redis.call('XDEL', KEYS[1], ARGV[3])
        if deliveries >= tonumber(ARGV[6]) then
            redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[14], '*',
                'id', ARGV[4], 'job', ARGV[5], 'deliveries', deliveries, 'error', ARGV[10], 'at', ARGV[11])
            redis.call('HDEL', KEYS[3], ARGV[4])
            if ARGV[12] == '0' then
                redis.call('DEL', KEYS[5])
            end
            return 1
        end
        requeue(KEYS[1], KEYS[2], ARGV[1], ARGV[8], ARGV[4], ARGV[5], ARGV[7], ARGV[9])
        return 0
        """;

    // KEYS: manual stream, webhook stream, delayed set, dead stream. ARGV: group.
    // → {length, pending, first undelivered JSON} per stream, delayed count, dead count, {up to 100 delayed members}.
    private const string StatsScript = Helpers + """
        local result = {}
        for i = 1, 2 do
            local length = redis.call('XLEN', KEYS[i])
            local pending = 0
            local first = false
            if length > 0 then
                local summary = redis.pcall('XPENDING', KEYS[i], ARGV[1])
                if type(summary) == 'table' and not summary.err then
                    pending = summary[1]
                end
                local last = '0-0'
                local groups = redis.pcall('XINFO', 'GROUPS', KEYS[i])
                if type(groups) == 'table' and not groups.err then
                    for _, g in ipairs(groups) do
                        if field(g, 'name') == ARGV[1] then
                            last = field(g, 'last-delivered-id')
                        end
                    end
                end
                local undelivered = redis.call('XRANGE', KEYS[i], '(' .. last, '+', 'COUNT', 1)
                if undelivered[1] then
                    first = field(undelivered[1][2], 'job') or false
                end
            end
            table.insert(result, length)
            table.insert(result, pending)
            table.insert(result, first)
        end
        table.insert(result, redis.call('ZCARD', KEYS[3]))
        table.insert(result, redis.call('XLEN', KEYS[4]))
        table.insert(result, redis.call('ZRANGE', KEYS[3], 0, 99))
        return result
        """;
}
