import { describe, expect, it } from 'vitest';
import { MAX_SERVER_TEXT, serverText, terminalJson, terminalText } from './terminal-text';

const ESC = '\u001b';

/** The characters a terminal acts on or displays out of order, found without a control-character regex. */
function unprintable(text: string): string[] {
  return [...text].filter((c) => {
    const code = c.codePointAt(0) ?? 0;
    if (c === '\n' || c === '\t') return false;
    return (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });
}

describe('server text made safe for a terminal', () => {
  it('removes escape sequences, control characters and bidirectional overrides, keeping lines and tabs', () => {
    const hostile = [
      `${ESC}]0;owned title${ESC}\\`, // OSC: set the window title
      `${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\`, // OSC 8 hyperlink
      `${ESC}[2J${ESC}[1;1H`, // clear the screen, move the cursor
      `${ESC}[31mred${ESC}[0m`,
      'over\rwritten', // a carriage return rewrites the line
      'bell\u0007 nul\u0000 del\u007f c1-csi\u009b31m',
      'file\u202etxt.exe', // right-to-left override
      'line one\n\tline two',
    ].join(' | ');
    const safe = terminalText(hostile);
    expect(unprintable(hostile).length).toBeGreaterThan(10);
    expect(unprintable(safe)).toEqual([]);
    expect(safe).toContain('red');
    expect(safe).toContain('line one\n\tline two');
    expect(safe).toContain('over?written');
    expect(safe).not.toContain('owned title');
  });

  it('bounds one piece of server text and says how much was left out', () => {
    expect(serverText('short')).toBe('short');
    const long = serverText('x'.repeat(MAX_SERVER_TEXT + 500));
    expect(long.length).toBeLessThan(MAX_SERVER_TEXT + 60);
    expect(long).toMatch(/… \[500 more characters not shown\]$/);
    expect(serverText(`${ESC}[2J`.repeat(10), 5)).toMatch(/^\?{5}…/);
  });

  it('escapes JSON for a terminal without changing its value', () => {
    const value = { reason: `${ESC}[2J\u009b31m\u202eabc\u007f`, n: 1 };
    const json = terminalJson(value);
    expect(unprintable(JSON.stringify(value))).not.toEqual([]);
    expect(unprintable(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual(value);
  });
});
