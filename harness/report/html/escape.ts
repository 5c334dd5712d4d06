import { escapeHtml } from '../../../lib/escape-html.ts';
import { maskText } from '../../../lib/mask.ts';

/** Every string the HTML report prints goes through here: secrets masked first, then HTML-escaped. */
export const html = (value: unknown): string =>
  escapeHtml(maskText(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))));
