'use strict';

const express = require('express');

const app = express();
const port = Number.parseInt(process.env.PORT || '3000', 10);
const host = process.env.HOST || '0.0.0.0';
const version = process.env.APP_VERSION || 'dev';

app.get('/', (req, res) => {
  res.json({ app: 'node-express-example', version, message: 'Hello from DeployMind' });
});

app.get('/health', (req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
