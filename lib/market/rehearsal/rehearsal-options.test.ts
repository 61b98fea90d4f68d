import { describe, expect, it } from 'vitest';
import { defaultRehearsalStart, rehearsalOptionsFromEnv } from './rehearsal-options';

describe('rehearsal options', () => {
  it('start at wall time while the market is open', () => {
    const wednesday = new Date('2026-11-25T09:13:00Z');
    expect(defaultRehearsalStart(wednesday)).toEqual(wednesday);
  });

  it('start at the previous Thursday 14:00 UTC when the market is closed', () => {
    expect(defaultRehearsalStart(new Date('2026-11-28T03:00:00Z')).toISOString()).toBe('2026-11-26T14:00:00.000Z');
    expect(defaultRehearsalStart(new Date('2026-11-29T21:00:00Z')).toISOString()).toBe('2026-11-26T14:00:00.000Z');
  });

  it('skip a Thursday on which the market calendar is closed (Christmas 2025, New Year 2026)', () => {
    // Saturday 2026-01-03: Thursday Jan 1 is closed, so the Thursday before, Christmas Day, is too: Dec 18.
    expect(defaultRehearsalStart(new Date('2026-01-03T12:00:00Z')).toISOString()).toBe('2025-12-18T14:00:00.000Z');
    expect(defaultRehearsalStart(new Date('2025-12-25T20:00:00Z')).toISOString()).toBe('2025-12-18T14:00:00.000Z');
  });

  it('validate the environment', () => {
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_SCHEMA: 'staging' })).toThrow(/REHEARSAL_SCHEMA/);
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_DAYS: '0' })).toThrow(/REHEARSAL_DAYS/);
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_START: 'soon' })).toThrow(/REHEARSAL_START/);
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_LEFTOVERS: 'yes' })).toThrow(/REHEARSAL_LEFTOVERS/);
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_INGESTION: 'late' })).toThrow(/REHEARSAL_INGESTION/);
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_REVISIONS_PER_HOUR: '-1' })).toThrow(
      /REHEARSAL_REVISIONS_PER_HOUR/,
    );
    expect(() => rehearsalOptionsFromEnv({ REHEARSAL_SECOND_WRITER_MINUTES: '0' })).toThrow(
      /REHEARSAL_SECOND_WRITER_MINUTES/,
    );
    expect(rehearsalOptionsFromEnv({ REHEARSAL_LEFTOVERS: '1' }).leftovers).toBe(true);
    expect(
      rehearsalOptionsFromEnv({
        REHEARSAL_SCHEMA: 'plan',
        REHEARSAL_DAYS: '3',
        REHEARSAL_START: '2026-11-25T10:00:00Z',
      }),
    ).toEqual({
      variant: 'plan',
      days: 3,
      now: new Date('2026-11-25T10:00:00Z'),
      leftovers: false,
      ingestion: { schedule: 'staggered', revisionsPerHour: 2, secondWriterMinutes: null },
    });
  });

  it("give the console's world production's ingestion unless told otherwise", () => {
    expect(
      rehearsalOptionsFromEnv({
        REHEARSAL_INGESTION: 'together',
        REHEARSAL_REVISIONS_PER_HOUR: '0.5',
        REHEARSAL_SECOND_WRITER_MINUTES: '20',
      }).ingestion,
    ).toEqual({ schedule: 'together', revisionsPerHour: 0.5, secondWriterMinutes: 20 });
  });
});
