import { InvalidArgumentError } from 'commander';

/**
 * Option values both CLIs take. Commander prints the message after "option '--x <v>' argument 'y' is invalid." and
 * runCli turns it into exit 2: so each message says what a good value is, the option and the bad value are named there.
 */

/**
 * A TCP port to listen on; 0 lets the system pick a free one (tests, parallel runs). Digits only: Number('') is 0, so
 * an unset variable (--port "$PORT") would otherwise listen on a random port instead of being refused.
 */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0 = any free port)');
  return port;
}

/** A duration in seconds, fractions allowed (a test's short timeout), up to an hour. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new InvalidArgumentError('seconds, more than 0 and at most 3600');
  return seconds;
}

/** `4001-4016` or `4001,4002`: the slots' ports. */
export function parsePorts(value: string): number[] {
  const ports = value.split(',').flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (!range) return [parsePort(part.trim())];
    const [from, to] = [parsePort(range[1]!), parsePort(range[2]!)];
    if (to < from || to - from >= 256) throw new InvalidArgumentError('a range is low-high, at most 256 ports');
    return Array.from({ length: to - from + 1 }, (_, index) => from + index);
  });
  if (ports.includes(0)) throw new InvalidArgumentError('a slot needs a fixed port (0 is not one)');
  return [...new Set(ports)];
}
