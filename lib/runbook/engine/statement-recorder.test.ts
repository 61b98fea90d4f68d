/**
 * What the driver's statement check counts as a phase's write (test-support/statement-recorder.ts):
 * a check that missed a kind of write could not fail when a phase wrote outside its preview.
 */
import { describe, expect, it } from 'vitest';
import { isPhaseWrite } from '../../../test-support/statement-recorder';

describe('a phase write, as the driver’s statement check sees it', () => {
  it.each([
    'INSERT INTO public.data_bars (a) SELECT 1',
    'insert into public.data_bars as n (x) values (1) on conflict do update set x = 1',
    'WITH t AS (SELECT 1) UPDATE public.derived_data_bars d SET deleted_at = $3 FROM t',
    "DELETE FROM public.data_bars WHERE canonical_symbol = 'DXY'",
    "CREATE TABLE cutover.backup_run3_data_bars AS SELECT * FROM public.data_bars WHERE canonical_symbol = 'DXY'",
    'CREATE OR REPLACE FUNCTION public.aggregate_1m_to_5m_window(p_symbol text) RETURNS jsonb',
    'REVOKE ALL ON FUNCTION public.calc_dxy_range_1m(timestamptz, timestamptz, integer) FROM PUBLIC',
    'ALTER FUNCTION public.aggregate_1m_to_5m_window(text) SECURITY DEFINER',
    'CREATE UNIQUE INDEX CONCURRENTLY data_bars_key ON public.data_bars (canonical_symbol, timeframe, ts_utc)',
    'ALTER TABLE public.data_bars ADD COLUMN created_at timestamptz',
    'LOCK TABLE public.derived_data_bars IN SHARE ROW EXCLUSIVE MODE',
    'SELECT public.calc_dxy_range_1m($1, $2) AS result',
    'select public.aggregate_1m_to_5m_window(p_symbol => $1, p_from_utc => $2, p_to_utc => $3) as r',
  ])('counts %s', (text) => {
    expect(isPhaseWrite(text)).toBe(true);
  });

  it.each([
    'insert into cutover.phase_run_events (phase_run_id, level, message, data) values ($1, $2, $3, $4)',
    'update cutover.phase_runs set checkpoint = $1 where id = $2',
    'update public.ops_runlog set events = events || $1 where id = $2',
    "select count(*) from public.data_bars where canonical_symbol = 'DXY' for update",
    'CREATE TABLE cutover_restore_check_3.data_bars AS SELECT * FROM cutover.backup_run3_data_bars',
    "select pg_get_functiondef('public.aggregate_1m_to_5m_window'::regproc)",
    "select case when n.raw->>'copied_from' is null then 'written by calc_dxy_range_1m (new path)' end from public.data_bars n",
  ])('does not count %s', (text) => {
    expect(isPhaseWrite(text)).toBe(false);
  });
});
