/**
 * A script for `node -e` inside the Logto container: it exits 0 once PostgreSQL at
 * HARNESS_POSTGRES (host:port) answers a protocol 3.0 startup message with an authentication
 * request, and 1 with one line after HARNESS_POSTGRES_WAIT_MS (default 60 s). The stack starts
 * Logto beside PostgreSQL instead of after it: core's module loading overlaps PostgreSQL's start,
 * and core, which does not retry a refused first connection (it logs the error and never
 * listens), connects only once this has passed. A TCP accept is not enough: a server still
 * starting up accepts and then refuses with "the database system is starting up".
 * Plain CommonJS without dependencies: it runs in whichever Logto image the stack uses.
 */
export const WAIT_FOR_POSTGRES = `
const net = require('node:net');
const [host, port] = process.env.HARNESS_POSTGRES.split(':');
const deadline = Date.now() + Number(process.env.HARNESS_POSTGRES_WAIT_MS || 60000);
const pairs = Buffer.from('user\\0postgres\\0database\\0postgres\\0\\0');
const startup = Buffer.alloc(8 + pairs.length);
startup.writeInt32BE(startup.length, 0);
startup.writeInt32BE(196608, 4);
pairs.copy(startup, 8);
function attempt() {
  const socket = net.connect(Number(port), host);
  let settled = false;
  const retry = () => {
    if (settled) return;
    settled = true;
    socket.destroy();
    if (Date.now() > deadline) {
      console.error('harness: PostgreSQL at ' + host + ':' + port + ' did not accept connections in time');
      process.exit(1);
    }
    setTimeout(attempt, 50);
  };
  socket.on('connect', () => socket.write(startup));
  socket.once('data', (answer) => {
    if (answer[0] !== 0x52) return retry();
    settled = true;
    socket.destroy();
    process.exit(0);
  });
  socket.on('error', retry);
  socket.on('close', retry);
}
attempt();
`;
