/**
 * What the CLI prints of the console's answers goes to a terminal: text from the server (an error,
 * a refusal's reason, a run's status) must not be able to move the cursor, rewrite earlier lines,
 * set the window title, hide itself or reorder itself (ANSI/OSC escapes, other control characters,
 * bidirectional overrides), nor flood the screen. Pure (the CLI's module graph holds no database code).
 */

/** ESC sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and any other ESC + one character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this removes.
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[\s\S]?/g;
/**
 * C0 controls but tab and line feed, DEL, C1 controls (U+009B is a one-character CSI), and the
 * bidirectional embeddings, overrides and isolates (text that displays in another order than it reads).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The longest single piece of server text the CLI prints (a reason, an error). */
export const MAX_SERVER_TEXT = 4_000;

/** `text` with escape sequences and unprintable characters replaced by "?"; line breaks and tabs kept. */
export function terminalText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '?').replace(UNPRINTABLE, '?');
}

/** One piece of server text, printable and at most `max` characters (the rest counted, not printed). */
export function serverText(text: string, max: number = MAX_SERVER_TEXT): string {
  const printable = terminalText(text);
  if (printable.length <= max) return printable;
  return `${printable.slice(0, max)}… [${printable.length - max} more characters not shown]`;
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls (ESC included); this also escapes
 * DEL, the C1 controls and the bidirectional controls, so the output is the same JSON value.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
