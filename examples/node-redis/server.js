'use strict';

// An Express app that needs a Redis accessory and a secret. DeployMind gives it REDIS_HOST and REDIS_PORT (the
// `redis` accessory's address) and SESSION_SECRET (resolved when the deploy runs); the secret signs the visit counter
// kept in Redis, and is never printed.

const crypto = require('node:crypto');
const express = require('express');
const { createClient } = require('redis');

const port = Number.parseInt(process.env.PORT || '3000', 10);
const host = process.env.HOST || '0.0.0.0';
const secret = process.env.SESSION_SECRET;
if (!secret) {
  console.error('SESSION_SECRET is not set');
  process.exit(1);
}

// Commands fail at once while Redis is unreachable (the client reconnects in the background) instead of waiting.
const redis = createClient({
  socket: {
    host: process.env.REDIS_HOST || '127.0.0.1',
    port: Number.parseInt(process.env.REDIS_PORT || '6379', 10),
  },
  disableOfflineQueue: true,
});
let lastError = '';
redis.on('error', (err) => {
  if (err.message !== lastError) console.error(`redis: ${err.message}`);
  lastError = err.message;
});
redis.on('ready', () => {
  lastError = '';
  console.log('redis: connected');
});

// HMAC-SHA256 of a text with the secret: what a signed session cookie carries. Proves the secret without showing it.
const sign = (text) => crypto.createHmac('sha256', secret).update(text).digest('hex');

const app = express();

// Counts visits in Redis, each answer signed with the secret.
app.get('/', async (req, res, next) => {
  try {
    const visits = await redis.incr('visits');
    res.json({ app: 'node-redis-example', visits, signature: sign(`visits=${visits}`) });
  } catch (err) {
    next(err);
  }
});

// Healthy when Redis answers: a release that cannot reach its Redis never takes traffic.
app.get('/health', async (req, res, next) => {
  try {
    if (!redis.isReady) throw new Error('not connected');
    await redis.ping();
    res.json({ status: 'ok' });
  } catch (err) {
    next(err);
  }
});

app.use((err, req, res, next) => {
  res.status(503).json({ status: 'unavailable', reason: `redis: ${err.message}` });
});

const server = app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
redis.connect().catch((err) => console.error(`redis: ${err.message}`));

// docker stop: finish the requests in flight, then leave.
process.on('SIGTERM', () => {
  server.close(() => redis.close().finally(() => process.exit(0)));
  server.closeIdleConnections();
});
