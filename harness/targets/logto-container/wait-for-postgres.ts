/**
 * A module for `node --import` in the Logto container: core starts loading at once, and only its
 * connections to PostgreSQL at HARNESS_POSTGRES (host:port) wait until PostgreSQL answers a protocol
 * 3.0 startup message with an authentication request; after HARNESS_POSTGRES_WAIT_MS (default 60 s)
 * without one, the process exits 1 with one line. So core's module loading (about 5 s of CPU)
 * overlaps PostgreSQL's start instead of following it, and core, which does not retry a refused
 * first connection (it logs the error and never listens), never meets a server still starting. A
 * TCP accept is not enough: a server still starting up accepts and then refuses with "the database
 * system is starting up". Without dependencies: it runs in whichever Logto image the stack uses.
 */
export const WAIT_FOR_POSTGRES = `
import net from 'node:net';
const [host, port] = process.env.HARNESS_POSTGRES.split(':');
const deadline = Date.now() + Number(process.env.HARNESS_POSTGRES_WAIT_MS || 60000);
const pairs = Buffer.from('user\\0postgres\\0database\\0postgres\\0\\0');
const startup = Buffer.alloc(8 + pairs.length);
startup.writeInt32BE(startup.length, 0);
startup.writeInt32BE(196608, 4);
pairs.copy(startup, 8);
const connect = net.Socket.prototype.connect;
let answered;
const ready = new Promise((resolve) => (answered = resolve));
function attempt() {
  const socket = new net.Socket();
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
    answered();
  });
  socket.on('error', retry);
  socket.on('close', retry);
  connect.call(socket, Number(port), host);
}
attempt();
// net.connect() hands the socket its arguments as one array; pg calls socket.connect(port, host).
const toPostgres = (args) => {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === 'object' ? first : { port: first, host: args[1] };
  return String(options.port) === port && (typeof options.host !== 'string' || options.host === host);
};
let open = false;
void ready.then(() => (open = true));
net.Socket.prototype.connect = function (...args) {
  if (open || !toPostgres(args)) return connect.apply(this, args);
  void ready.then(() => connect.apply(this, args));
  return this;
};
`;

/** WAIT_FOR_POSTGRES as what `node --import` takes. */
export const WAIT_FOR_POSTGRES_IMPORT = `data:text/javascript,${encodeURIComponent(WAIT_FOR_POSTGRES)}`;
