/**
 * Words for people out of the values the runbook stores: a check's detail that is a JSON object
 * (e.g. the registry metadata phase 5 wrote) becomes "key: value; …", long texts are cut where a
 * reader stops, and numbers get their thousands separators. The report's body is read by an
 * approver; the raw values stay in its appendix (docs/operations.md "The migration report").
 */

/** Longest detail the body shows of a passed check (the appendix has every word). */
export const PASSED_DETAIL_CHARS = 140;
/** Longest detail of a failed check or a refusal reason: what went wrong is kept whole, within reason. */
export const FAILED_DETAIL_CHARS = 600;

/** `text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut. */
export function shorten(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit - 1);
  // Cut at the last whole word (the cut may already end on one), unless that loses too much.
  const space = flat[limit - 1] === ' ' ? cut.length : cut.lastIndexOf(' ');
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, '')}…`;
}

function plainValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(plainValue).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key.replaceAll('_', ' ')} ${plainValue(inner)}`)
      .join(', ');
  }
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return String(value);
}

/**
 * A stored detail as a sentence: JSON objects and arrays spelled out as "key: value; …", and any
 * JSON left inside a longer text (`{"a":1}` after words) spelled out the same way.
 */
export function plainDetail(detail: unknown): string {
  return plainTimes(plainJson(detail));
}

function plainJson(detail: unknown): string {
  if (typeof detail !== 'string') return plainValue(detail);
  const trimmed = detail.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.entries(parsed as Record<string, unknown>)
          .map(([key, value]) => `${key.replaceAll('_', ' ')}: ${plainValue(value)}`)
          .join('; ');
      }
      return plainValue(parsed);
    } catch {
      // Not JSON after all: fall through to the inline replacement below.
    }
  }
  // Inline JSON objects inside words: replaced by their plain form, the words kept.
  return detail.replace(/\{"[^{}]*\}/g, (match) => {
    try {
      return plainValue(JSON.parse(match));
    } catch {
      return match.replaceAll('"', '');
    }
  });
}

/** ISO instants in stored details ("2026-11-25T14:36:00.000Z") as the report writes times ("2026-11-25 14:36 UTC"). */
export function plainTimes(text: string): string {
  return text.replace(
    /(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::(\d\d)(?:\.\d+)?)?Z/g,
    (_match, day: string, minute: string, second?: string) =>
      second && second !== '00' ? `${day} ${minute}:${second} UTC` : `${day} ${minute} UTC`,
  );
}

/** True when a text still reads like JSON (`{"` or `":`): what the report's body must not show. */
export function looksLikeJson(text: string): boolean {
  return /\{\s*"|"\s*:/.test(text);
}
