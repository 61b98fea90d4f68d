import { describe, expect, it } from 'vitest';
import { assessFreshness } from './freshness';

describe('assessFreshness', () => {
  const now = new Date('2026-11-25T12:00:30Z'); // Wednesday, market open

  it('is fresh when the last completed minute is present', () => {
    expect(assessFreshness({ latest: new Date('2026-11-25T11:59:00Z'), now }).state).toBe('fresh');
  });

  it('is lagging, then stale, as minutes go missing', () => {
    expect(assessFreshness({ latest: new Date('2026-11-25T11:54:00Z'), now }).state).toBe('lagging');
    const stale = assessFreshness({ latest: new Date('2026-11-25T11:30:00Z'), now });
    expect(stale.state).toBe('stale');
    expect(stale.minutesBehind).toBe(29);
  });

  it('says market closed, not stale, on a weekend when the series stopped at the close', () => {
    const saturday = new Date('2026-11-28T15:00:00Z');
    expect(assessFreshness({ latest: new Date('2026-11-27T21:59:00Z'), now: saturday }).state).toBe('market-closed');
  });

  it('is stale on a weekend when the series stopped well before the close', () => {
    const saturday = new Date('2026-11-28T15:00:00Z');
    expect(assessFreshness({ latest: new Date('2026-11-27T18:00:00Z'), now: saturday }).state).toBe('stale');
  });

  it('says no data when the series is empty', () => {
    expect(assessFreshness({ latest: null, now }).state).toBe('no-data');
  });
});
