/**
 * Production's catch-up: from the cursor (the start of the next window to process), aggregates
 * due windows one by one through the window functions (./aggregator-sql.ts) — called by name with
 * named arguments — and moves the data_agg_state cursor. A window is due when its end +
 * aggregation_delay_seconds ≤ p_now (p_ignore_confirmation drops the delay). It stops at the data
 * frontier: a window that stored nothing and has no source bar at or after its end is not passed,
 * so a lagging ingest fills it later; empty windows before later data (weekends) are passed. Errors
 * return success:false (the work of the call is rolled back) for the worker to record.
 */
import { PINNED_SEARCH_PATH } from './variant';

export const CATCHUP_AGGREGATION_RANGE_SQL = `
CREATE OR REPLACE FUNCTION public.catchup_aggregation_range(
  p_symbol text,
  p_to_tf text,
  p_start_cursor timestamptz,
  p_max_windows integer DEFAULT 100,
  p_now timestamptz DEFAULT NULL,
  p_derivation_version integer DEFAULT 1,
  p_ignore_confirmation boolean DEFAULT false
) RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
${PINNED_SEARCH_PATH}
AS $fn$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_seconds integer;
  v_source_tf text;
  v_delay integer;
  v_cursor timestamptz;
  v_end timestamptz;
  v_result jsonb;
  v_processed integer := 0;
  v_stored integer := 0;
  v_stopped text := 'max_windows';
BEGIN
  v_seconds := CASE p_to_tf WHEN '5m' THEN 300 WHEN '1h' THEN 3600 END;
  v_source_tf := CASE p_to_tf WHEN '5m' THEN '1m' WHEN '1h' THEN '5m' END;
  IF v_seconds IS NULL THEN
    RAISE EXCEPTION 'catchup_aggregation_range: unsupported target timeframe %', p_to_tf;
  END IF;
  SELECT s.aggregation_delay_seconds, coalesce(p_start_cursor, s.last_agg_bar_ts_utc)
    INTO v_delay, v_cursor
    FROM public.data_agg_state s
   WHERE s.canonical_symbol = p_symbol AND s.timeframe = p_to_tf
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'catchup_aggregation_range: no data_agg_state task for % %', p_symbol, p_to_tf;
  END IF;
  IF p_ignore_confirmation THEN
    v_delay := 0;
  END IF;
  v_cursor := to_timestamp(floor(extract(epoch FROM v_cursor) / v_seconds) * v_seconds);
  LOOP
    IF v_processed >= p_max_windows THEN
      v_stopped := 'max_windows';
      EXIT;
    END IF;
    v_end := v_cursor + make_interval(secs => v_seconds);
    IF v_end + make_interval(secs => v_delay) > v_now THEN
      v_stopped := 'not_due';
      EXIT;
    END IF;
    IF p_to_tf = '5m' THEN
      v_result := public.aggregate_1m_to_5m_window(
        p_symbol => p_symbol, p_from_utc => v_cursor, p_to_utc => v_end, p_derivation_version => p_derivation_version);
    ELSE
      v_result := public.aggregate_5m_to_1h_window(
        p_symbol => p_symbol, p_from_utc => v_cursor, p_to_utc => v_end, p_derivation_version => p_derivation_version);
    END IF;
    IF NOT coalesce((v_result ->> 'success')::boolean, false) THEN
      RAISE EXCEPTION 'window % of % % failed: %', v_cursor, p_symbol, p_to_tf, v_result;
    END IF;
    IF NOT coalesce((v_result ->> 'stored')::boolean, false)
       AND NOT EXISTS (SELECT 1 FROM public.data_bars b
                        WHERE b.canonical_symbol = p_symbol AND b.timeframe = v_source_tf AND b.ts_utc >= v_end)
       AND NOT EXISTS (SELECT 1 FROM public.derived_data_bars d
                        WHERE d.canonical_symbol = p_symbol AND d.timeframe = v_source_tf
                          AND d.deleted_at IS NULL AND d.ts_utc >= v_end) THEN
      v_stopped := 'data_frontier';
      EXIT;
    END IF;
    v_processed := v_processed + 1;
    IF coalesce((v_result ->> 'stored')::boolean, false) THEN
      v_stored := v_stored + 1;
    END IF;
    v_cursor := v_end;
  END LOOP;
  UPDATE public.data_agg_state
     SET last_agg_bar_ts_utc = v_cursor, last_successful_at_utc = v_now, last_error = NULL,
         hard_fail_streak = 0, total_runs = total_runs + 1, total_bars_created = total_bars_created + v_stored
   WHERE canonical_symbol = p_symbol AND timeframe = p_to_tf;
  RETURN jsonb_build_object('success', true, 'windows_processed', v_processed, 'stored', v_stored,
                            'cursor', v_cursor, 'stopped_reason', v_stopped);
EXCEPTION WHEN OTHERS THEN
  RETURN jsonb_build_object('success', false, 'error', SQLERRM, 'cursor', p_start_cursor);
END
$fn$;
`;
