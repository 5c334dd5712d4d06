import { stringify } from 'yaml';
import type { Recording } from './recording.ts';

/** A written file: YAML under a comment header saying where it came from, how it was anonymised, and the notes. */
export function commentedYaml(recording: Recording, what: string, notes: string[], value: unknown): string {
  return `${header(recording, what, notes)}${yaml(value)}`;
}

function header(recording: Recording, what: string, notes: string[]): string {
  const lines = [
    `${what}`,
    `Recorded by \`connector-harness record\` on ${recording.recordedAt.toISOString()} from ${recording.host}.`,
    'Every secret, token and code is removed; personal values are same-typed placeholders, in object keys too.',
    're-record into the same folder to see what the provider changed.',
    ...notes.map((note) => `note: ${note}`),
  ];
  return `${lines.map((line) => `# ${line}`).join('\n')}\n`;
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });
export const REPLAY_COMMAND = '`connector-harness run <this file>`';
