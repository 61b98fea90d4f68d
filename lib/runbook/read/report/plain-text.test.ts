import { describe, expect, it } from 'vitest';
import { looksLikeJson, plainDetail, plainTimes, shorten } from './plain-text';

describe('the report’s plain words', () => {
  it('spells a JSON detail out as key: value, so the body shows no JSON', () => {
    const stored = '{"components":["EURUSD","USDJPY"],"is_synthetic":true,"base_timeframe":"1m"}';
    expect(looksLikeJson(stored)).toBe(true);
    const plain = plainDetail(stored);
    expect(plain).toBe('components: EURUSD, USDJPY; is synthetic: true; base timeframe: 1m');
    expect(looksLikeJson(plain)).toBe(false);
  });

  it('spells out JSON inside words and keeps the words', () => {
    const plain = plainDetail('Required columns are missing: {"data_bars":["raw"]}');
    expect(plain).toBe('Required columns are missing: data bars raw');
    expect(looksLikeJson(plain)).toBe(false);
  });

  it('writes stored instants the way the report writes times', () => {
    expect(plainTimes('last tick 2026-11-25T14:45:00.000Z, since 2026-12-07T13:07:55.375Z')).toBe(
      'last tick 2026-11-25 14:45 UTC, since 2026-12-07 13:07:55 UTC',
    );
  });

  it('cuts long details at a word, with an ellipsis, and leaves short ones alone', () => {
    expect(shorten('short enough', 40)).toBe('short enough');
    const cut = shorten('one two three four five six seven eight nine ten', 24);
    expect(cut.length).toBeLessThanOrEqual(24);
    expect(cut).toBe('one two three four five…');
  });

  it('does not take prose with quotes for JSON', () => {
    expect(looksLikeJson('the “final” form: source synthetic')).toBe(false);
    expect(looksLikeJson('{"a": 1}')).toBe(true);
  });
});
