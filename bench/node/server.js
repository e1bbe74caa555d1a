// The reference row: sipgateio's own webhook server (createWebhookModule), answering
// newCall like the integration does without an automation (subscribing to answer and hangup).
// Usage: node server.js PORT   (listens on 127.0.0.1 only)
const { createWebhookModule } = require('sipgateio');

const port = Number(process.argv[2] || 8125);
const serverAddress = `http://127.0.0.1:${port}`;

createWebhookModule()
  .createServer({ port, serverAddress, hostname: '127.0.0.1' })
  .then((server) => {
    server.onNewCall(() => undefined);
    server.onAnswer(() => undefined);
    server.onHangUp(() => undefined);
    process.stdout.write(`listening ${serverAddress}\n`);
  });
