import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `docker compose` (the plugin) or Debian's `docker-compose`; undefined when neither answers. */
export async function composeCommand(): Promise<string[] | undefined> {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      await run(command[0]!, [...command.slice(1), 'version'], { timeout: 15_000 });
      return command;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export interface ComposeProject {
  command: string[];
  files: string[];
  project: string;
  env?: NodeJS.ProcessEnv;
}

export async function compose(stack: ComposeProject, args: string[], timeoutMs = 600_000): Promise<string> {
  const [binary, ...prefix] = stack.command;
  const fileArgs = stack.files.flatMap((file) => ['-f', file]);
  const { stdout } = await run(binary!, [...prefix, '-p', stack.project, ...fileArgs, ...args], {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...stack.env },
  });
  return stdout;
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

export async function imagePresent(image: string): Promise<boolean> {
  try {
    await run('docker', ['image', 'inspect', image], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** The container ids and network names a compose project still has. */
export async function leftovers(project: string): Promise<{ containers: string[]; networks: string[] }> {
  const label = `label=com.docker.compose.project=${project}`;
  const containers = (await run('docker', ['ps', '-aq', '--filter', label])).stdout.split('\n').filter(Boolean);
  const networks = (await run('docker', ['network', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
  return { containers, networks };
}

/** Polls until `probe` resolves true, or throws after `timeoutMs` naming what it waited for. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}

/** The first fenced block of `language` after `heading` in a Markdown file, parsed as JSON. */
export async function jsonBlockAfter(
  file: string,
  heading: string,
  language = 'json',
): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8');
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`${file} has no heading "${heading}"`);
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n\\s*```').exec(text.slice(at));
  if (!block) throw new Error(`${file} has no \`\`\`${language} block after "${heading}"`);
  return JSON.parse(block[1]!) as Record<string, unknown>;
}
