/**
 * Text from a user's file or an IdP's answer, made safe for a terminal: control characters
 * (ANSI escapes that recolour, retitle or clear the screen, bells, carriage returns that overwrite
 * a line) are shown as \u escapes instead of being obeyed. Newlines and tabs stay.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export const printable = (text: string): string =>
  text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const hasControlCharacters = (text: string): boolean => new RegExp(CONTROL.source).test(text);
