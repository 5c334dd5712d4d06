import { maskText } from '../../../lib/mask.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every string the HTML report prints goes through here: secrets masked first, then HTML-escaped. */
export const html = (value: unknown): string => maskText(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)).replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
