/**
 * A phase's verdict: the checks its verification, preconditions and gates report, and the document a
 * phase run stores in `cutover.phase_runs.verification`. Its own leaf so that the run state (which
 * types that column) and the phase shape (./types.ts, whose context carries the run) both read it
 * without importing each other.
 */
export interface Check {
  name: string;
  passed: boolean;
  /** What was found, in words an operator can act on. */
  detail: string;
  /** Numbers and samples behind the verdict. */
  evidence?: unknown;
  /** A finding reports what is there (e.g. holes that predate the migration) without judging the phase. */
  kind?: 'finding';
  /**
   * Gates only the start: once the run exists the phase itself waits on it (phase 9 and a closed
   * market), so an approval or a runner's claim does not re-check it.
   */
  startOnly?: true;
}

export interface Verification {
  passed: boolean;
  checks: Check[];
}
