/**
 * The pipeline's tables in their pre-migration state (docs/domain.md), as the rehearsal world
 * creates them. Two variants:
 * - `production`: what the real database has — no CHECK on `source` (providers write 'massive'),
 *   the unique constraint `data_bars_symbol_tf_ts_unique`, no created_at/updated_at on data_bars,
 *   no column default on data_bars but its id (every writer supplies is_partial, ingested_at, raw),
 *   none on derived_data_bars' is_partial and ingested_at (every writer supplies both),
 *   the foreign key `data_bars_canonical_symbol_fkey` to the registry (so the registry is created
 *   first and holds every symbol a writer uses), no registry `metadata`;
 * - `plan`: what the written plan assumed — a CHECK allowing only 'massive_api'/'ingest' and a
 *   plain unique index under another name.
 * Only ever executed in a database the console created as a rehearsal world.
 */
import { PIPELINE_FUNCTION_NAMES } from '../pipeline/function-names';
import type { PipelineVariant } from '../pipeline/variant';

/** The `source` value the provider ingest writes in each variant. */
export function providerSource(variant: PipelineVariant): string {
  return variant === 'production' ? 'massive' : 'massive_api';
}

/** Created before data_bars: production's foreign key refers to it. */
const REGISTRY_TABLE_SQL = `
CREATE TABLE public.core_asset_registry_all (
  canonical_symbol text PRIMARY KEY,
  asset_class text NOT NULL,
  provider_ticker text,
  display_name text,
  quote_currency text,
  active boolean NOT NULL DEFAULT true,
  test_active boolean NOT NULL DEFAULT false,
  base_timeframe text NOT NULL DEFAULT '1m',
  ingest_class text,
  session_calendar text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

export function pipelineSchemaSql(variant: PipelineVariant): string {
  const dataBarsKey =
    variant === 'production'
      ? 'CONSTRAINT data_bars_symbol_tf_ts_unique UNIQUE (canonical_symbol, timeframe, ts_utc),'
      : `CONSTRAINT data_bars_source_check CHECK (source IN ('massive_api', 'ingest')),`;
  // Production: no defaults but id's on data_bars, none on is_partial/ingested_at in
  // derived_data_bars either (docs/domain.md), and a registry row required for every symbol written.
  const barDefaults =
    variant === 'production'
      ? { isPartial: 'boolean NOT NULL', ingestedAt: 'timestamptz NOT NULL' }
      : { isPartial: 'boolean NOT NULL DEFAULT false', ingestedAt: 'timestamptz NOT NULL DEFAULT now()' };
  const registryKey =
    variant === 'production'
      ? `CONSTRAINT data_bars_canonical_symbol_fkey FOREIGN KEY (canonical_symbol)
    REFERENCES public.core_asset_registry_all (canonical_symbol),`
      : '';
  const planIndex =
    variant === 'plan'
      ? 'CREATE UNIQUE INDEX idx_data_bars_sym_tf_ts ON public.data_bars (canonical_symbol, timeframe, ts_utc);'
      : '';
  return `
${REGISTRY_TABLE_SQL}
CREATE TABLE public.data_bars (
  id bigserial PRIMARY KEY,
  canonical_symbol text NOT NULL,
  provider_ticker text,
  timeframe text NOT NULL,
  ts_utc timestamptz NOT NULL,
  open double precision,
  high double precision,
  low double precision,
  close double precision,
  vol double precision,
  vwap double precision,
  trade_count integer,
  is_partial ${barDefaults.isPartial},
  source text NOT NULL,
  ingested_at ${barDefaults.ingestedAt},
  raw jsonb NOT NULL,
  ${dataBarsKey}
  ${registryKey}
  CONSTRAINT data_bars_massive_requires_ticker CHECK (source <> 'massive' OR provider_ticker IS NOT NULL),
  CONSTRAINT data_bars_timeframe_check CHECK (timeframe IN ('1m', '5m', '1h', '2h', '4h'))
);
${planIndex}

CREATE TABLE public.derived_data_bars (
  id bigserial PRIMARY KEY,
  canonical_symbol text NOT NULL,
  provider_ticker text,
  timeframe text NOT NULL,
  ts_utc timestamptz NOT NULL,
  open double precision NOT NULL,
  high double precision NOT NULL,
  low double precision NOT NULL,
  close double precision NOT NULL,
  vol double precision,
  vwap double precision,
  trade_count integer,
  is_partial ${barDefaults.isPartial},
  source text NOT NULL DEFAULT 'agg',
  source_timeframe text,
  source_candles integer,
  expected_candles integer,
  quality_score integer,
  derivation_version integer NOT NULL DEFAULT 1,
  ingested_at ${barDefaults.ingestedAt},
  deleted_at timestamptz,
  raw jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX derived_data_bars_active_key
  ON public.derived_data_bars (canonical_symbol, timeframe, ts_utc) WHERE deleted_at IS NULL;

CREATE OR REPLACE FUNCTION public.derived_data_bars_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;
CREATE TRIGGER derived_data_bars_touch_updated_at
  BEFORE UPDATE ON public.derived_data_bars
  FOR EACH ROW EXECUTE FUNCTION public.derived_data_bars_touch_updated_at();


CREATE TABLE public.data_agg_state (
  canonical_symbol text NOT NULL,
  timeframe text NOT NULL,
  source_timeframe text NOT NULL,
  run_interval_minutes integer NOT NULL,
  aggregation_delay_seconds integer NOT NULL DEFAULT 30,
  last_agg_bar_ts_utc timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'idle',
  last_error text,
  last_successful_at_utc timestamptz,
  next_run_at timestamptz,
  total_runs bigint NOT NULL DEFAULT 0,
  total_bars_created bigint NOT NULL DEFAULT 0,
  hard_fail_streak integer NOT NULL DEFAULT 0,
  PRIMARY KEY (canonical_symbol, timeframe),
  CONSTRAINT data_agg_state_status_check CHECK (status IN ('idle', 'running', 'disabled', 'hard_failed'))
);

CREATE TABLE public.ops_runlog (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL,
  job_name text NOT NULL,
  trigger text NOT NULL,
  env_name text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL,
  checkpoints jsonb NOT NULL DEFAULT '{}'::jsonb,
  events jsonb NOT NULL DEFAULT '[]'::jsonb,
  stats jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT ops_runlog_trigger_check CHECK (trigger IN ('cron', 'manual')),
  CONSTRAINT ops_runlog_status_check CHECK (status IN ('running', 'success', 'failed'))
);
CREATE INDEX ops_runlog_job_started_idx ON public.ops_runlog (job_name, started_at);
`;
}

/** Supabase's API roles; `service_role` is the workers' (the only one the plan variant has). */
export const SUPABASE_ROLES = ['anon', 'authenticated', 'service_role'] as const;

/**
 * The roles of the variant, created when absent (NOLOGIN). Roles are cluster-wide and several
 * databases of one cluster may create them at once: each role has its own block, and losing the
 * race (duplicate_object, or unique_violation on pg_authid) counts as created.
 */
export function rolesSql(variant: PipelineVariant): string {
  const roles = variant === 'production' ? SUPABASE_ROLES : (['service_role'] as const);
  return roles
    .map(
      (role) => `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;`,
    )
    .join('\n');
}

/**
 * Supabase's default privileges (production variant): every function created later in schema
 * public — the pipeline's, and whatever a phase creates — is executable by anon, authenticated
 * and service_role directly, not only through PUBLIC. Per database, so each world gets it.
 */
export const SUPABASE_DEFAULT_PRIVILEGES_SQL = `
ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public
  GRANT EXECUTE ON FUNCTIONS TO anon, authenticated, service_role;
`;

/** Drops the rehearsal world's pipeline objects (reset): every overload of every pipeline function. */
export const DROP_PIPELINE_SQL = `
DROP TABLE IF EXISTS public.data_bars, public.derived_data_bars, public.core_asset_registry_all,
  public.data_agg_state, public.ops_runlog CASCADE;
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
       AND p.proname IN (${[...PIPELINE_FUNCTION_NAMES, 'derived_data_bars_touch_updated_at'].map((name) => `'${name}'`).join(', ')})
  LOOP
    EXECUTE format('DROP FUNCTION %s', f);
  END LOOP;
  -- A rebuilt world of the other variant must not inherit Supabase's default privileges.
  IF (SELECT count(*) FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')) = 3 THEN
    ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public
      REVOKE EXECUTE ON FUNCTIONS FROM anon, authenticated, service_role;
  END IF;
END $$;
`;
