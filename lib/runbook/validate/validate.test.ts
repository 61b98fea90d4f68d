/**
 * Validate (docs/phases.md "Validate — before the night") on production worlds: GO on a clean one
 * (the plan's own work as findings), NO-GO naming each seeded defect, and nothing changed.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openWalsender } from '../../../test-support/open-walsender';
import { useTestWorld } from '../../../test-support/world-database';
import type { Database } from '../../db/connection';
import { NUMBER_TYPES } from '../../db/number-types';
import { wallClock } from '../../market/clock';
import { runbookConfigFromEnv } from '../engine/config';
import { definePhase } from '../engine/define-phase';
import { createPhaseRegistry } from '../engine/phase-registry';
import type { PhaseDefinition } from '../engine/types';
import { PHASES } from '../phases';
import { commandWorkerControl } from '../worker-control/command-workers';
import { clockSkewItem, pacingSignalsItem } from './environment';
import { BLOCKING_PRECONDITIONS } from './phase-checks';
import { runValidation } from './run-validation';
import type { ValidationItem } from './verdict';

const config = { ...runbookConfigFromEnv({}), dumpDirectory: null };

const noGoItems = (items: readonly ValidationItem[]) => items.filter((i) => i.status === 'no-go');

/** Everything validate must leave as it found it, read from the catalog and the data. */
async function snapshot(database: Database): Promise<Record<string, unknown>> {
  const { sql } = database;
  const tables = ['data_bars', 'derived_data_bars', 'core_asset_registry_all', 'data_agg_state', 'ops_runlog'];
  const data: Record<string, unknown> = {};
  for (const table of tables) {
    const [row] = await sql.unsafe<{ n: string; sum: string | null }[]>(
      `SELECT count(*)::text AS n, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS sum FROM public.${table} t`,
    );
    data[table] = row;
  }
  const functions = await sql<{ signature: string; def: string; acl: string | null; owner: string }[]>`
    select p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as def, p.proacl::text as acl,
           pg_get_userbyid(p.proowner) as owner
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.prokind = 'f' order by 1`;
  const constraints = await sql<{ name: string; def: string }[]>`
    select conrelid::regclass::text || '.' || conname as name, pg_get_constraintdef(oid) as def from pg_constraint
     where conrelid = any(array['public.data_bars', 'public.derived_data_bars', 'public.core_asset_registry_all']::regclass[])
     order by 1`;
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as def from pg_index
     where indrelid = any(array['public.data_bars', 'public.derived_data_bars', 'public.core_asset_registry_all']::regclass[])
     order by 1`;
  const columns = await sql<{ c: string }[]>`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as c
      from information_schema.columns where table_schema = 'public' order by 1`;
  const registry =
    await sql`select to_jsonb(r)::text as r from public.core_asset_registry_all r order by canonical_symbol`;
  const softDeleted = await sql`select count(*)::int as n from cutover.soft_deleted_rows`;
  return { data, functions, constraints, indexes, columns, registry, softDeleted };
}

describe('validate on a clean production world', () => {
  const world = useTestWorld({ variant: 'production', leftovers: true });

  it('is GO, with the earlier attempt’s rows and phase 2’s fix as findings', async () => {
    // How long it takes is the benchmark's to measure (npm run bench logs validate's time), never a test's.
    const outcome = await runValidation(world.database, { config });
    expect(noGoItems(outcome.items)).toEqual([]);
    expect(outcome.verdict).toBe('go');
    const findings = outcome.items.filter((i) => i.status === 'finding').map((i) => i.name);
    expect(findings).toContain('Phase 2 · normalization of the earlier attempt’s rows');
    expect(findings).toContain('Phase 2 · Apply fix (schema)');
    expect(findings).toContain('DXY rows already in data_bars (earlier attempts)');
    expect(findings).toContain('Holes in the legacy history');
    // Every write stage was tried.
    const trials = outcome.items.filter((i) => i.group === 'write-trial').map((i) => i.name);
    expect(trials).toHaveLength(9);
    expect(outcome.identity.database).toMatch(/^t_/);
    // What paces the batches: the superuser console sees every replica's lag (another test file may have one open).
    const pacing = outcome.items.find((i) => i.name === 'Pacing signals');
    expect(pacing?.status).toBe('go');
    expect(pacing?.reason).toMatch(/^(no replica in pg_stat_replication|\d+ replicas?, lag readable)/);
    expect(pacing?.evidence).toMatchObject({ hidden: 0 });
  });

  it('names only blocking preconditions the phases declare (a renamed check would silently become a finding)', async () => {
    const context = { database: world.database, clock: wallClock, config, migrationRunId: null };
    const names = new Set<string>();
    for (const phase of PHASES.all) for (const check of await phase.preconditions(context)) names.add(check.name);
    for (const name of BLOCKING_PRECONDITIONS) expect([...names]).toContain(name);
  });

  it('changes nothing in the pipeline’s tables, functions, constraints, grants or registry', async () => {
    const before = await snapshot(world.database);
    await runValidation(world.database, { config });
    expect(await snapshot(world.database)).toEqual(before);
  });
});

describe('validate on production worlds with a defect', () => {
  const world = useTestWorld({ variant: 'production', leftovers: true }, { perTest: true });

  it('NO-GO when a write trial breaks a constraint: a NOT NULL column of data_bars without a default', async () => {
    await world.database.sql.unsafe(`ALTER TABLE public.data_bars ADD COLUMN checked_by text NOT NULL DEFAULT 'ingest';
                                     ALTER TABLE public.data_bars ALTER COLUMN checked_by DROP DEFAULT`);
    const outcome = await runValidation(world.database, { config });
    expect(outcome.verdict).toBe('no-go');
    const copy = noGoItems(outcome.items).find((i) => i.name === 'Phase 4 · copy of legacy minutes');
    expect(copy?.reason).toMatch(/checked_by/);
  });

  it('NO-GO when the aggregator’s body is not understood', async () => {
    await world.database.sql.unsafe(`
      CREATE OR REPLACE FUNCTION public.aggregate_1m_to_5m_window(p_symbol text, p_from_utc timestamptz, p_to_utc timestamptz,
                                                                  p_derivation_version integer DEFAULT 1)
      RETURNS jsonb LANGUAGE sql SECURITY DEFINER SET search_path = public
      AS $$ SELECT jsonb_build_object('success', true, 'stored', false, 'reason', 'rewritten by hand') $$`);
    const outcome = await runValidation(world.database, { config });
    expect(outcome.verdict).toBe('no-go');
    expect(noGoItems(outcome.items).map((i) => i.name)).toContain(
      'Phase 5 · registry update, aggregate_1m_to_5m_window replacement and probe',
    );
  });

  it('NO-GO when the console (not a superuser) does not own the aggregator', async () => {
    const suffix = randomBytes(4).toString('hex');
    const consoleRole = `validate_console_${suffix}`;
    const otherRole = `validate_other_${suffix}`;
    const { sql } = world.database;
    await sql.unsafe(`CREATE ROLE ${consoleRole} NOSUPERUSER; CREATE ROLE ${otherRole} NOSUPERUSER`);
    await sql.unsafe(`GRANT ALL ON SCHEMA public, cutover TO ${consoleRole};
      GRANT ALL ON ALL TABLES IN SCHEMA public, cutover TO ${consoleRole};
      GRANT ALL ON ALL SEQUENCES IN SCHEMA public, cutover TO ${consoleRole};
      GRANT ${otherRole} TO current_user`);
    for (const table of ['data_bars', 'derived_data_bars', 'core_asset_registry_all', 'data_agg_state'])
      await sql.unsafe(`ALTER TABLE public.${table} OWNER TO ${consoleRole}`);
    await sql.unsafe(
      `ALTER FUNCTION public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer) OWNER TO ${otherRole}`,
    );
    const asConsole = postgres(world.url, {
      max: 4,
      onnotice: () => {},
      types: NUMBER_TYPES,
      connection: { role: consoleRole } as never,
    });
    try {
      const outcome = await runValidation({ ...world.database, sql: asConsole }, { config });
      expect(outcome.verdict).toBe('no-go');
      const owner = noGoItems(outcome.items).find((i) => i.name === 'Console owns aggregate_1m_to_5m_window');
      expect(owner?.reason).toMatch(new RegExp(`owned by ${otherRole}`));
    } finally {
      await asConsole.end();
      await sql.unsafe(
        `ALTER FUNCTION public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer) OWNER TO current_user`,
      );
    }
  });

  it('NO-GO when a precondition about the database fails: another calc_dxy_range_1m in the way', async () => {
    await world.database.sql.unsafe(
      `CREATE FUNCTION public.calc_dxy_range_1m(p_day date) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$`,
    );
    const outcome = await runValidation(world.database, { config });
    const phase3 = noGoItems(outcome.items).find((i) => i.name === 'Phase 3: preconditions and preview');
    expect(phase3?.reason).toMatch(/No other calc_dxy_range_1m in the way/);
  });

  it('NO-GO when the worker role does not exist', async () => {
    const outcome = await runValidation(world.database, {
      config: { ...config, workerRole: `no_such_worker_${randomBytes(4).toString('hex')}` },
    });
    expect(outcome.verdict).toBe('no-go');
    expect(noGoItems(outcome.items).map((i) => i.name)).toContain('Worker role exists');
  });

  it('NO-GO when the worker status command reports no mode, GO when it does', async () => {
    const silent = commandWorkerControl({
      deployCommand: 'true',
      restartCommand: null,
      statusCommand: 'echo running',
      timeoutMs: 10_000,
    });
    const outcome = await runValidation(world.database, { config, workers: silent });
    const status = outcome.items.find((i) => i.name === 'Worker status command');
    expect(status?.status).toBe('no-go');
    expect(status?.reason).toMatch(/no mode/);
    const reporting = commandWorkerControl({
      deployCommand: 'true',
      restartCommand: null,
      statusCommand: 'echo mode=legacy',
      timeoutMs: 10_000,
    });
    const again = await runValidation(world.database, { config, workers: reporting });
    expect(again.items.find((i) => i.name === 'Worker status command')?.status).toBe('go');
    expect(again.verdict).toBe('go');
  });
});

describe('validate on a production world whose registry lost DXY', () => {
  const world = useTestWorld({ variant: 'production', leftovers: false });

  it('NO-GO when a write trial breaks the foreign key of data_bars to the registry', async () => {
    await world.database.sql.unsafe(`DELETE FROM public.data_agg_state WHERE canonical_symbol = 'DXY';
                                     DELETE FROM public.core_asset_registry_all WHERE canonical_symbol = 'DXY'`);
    const outcome = await runValidation(world.database, { config });
    expect(outcome.verdict).toBe('no-go');
    const copy = noGoItems(outcome.items).find((i) => i.name === 'Phase 4 · copy of legacy minutes');
    expect(copy?.reason).toMatch(/canonical_symbol_fkey|foreign key/);
  });
});

describe('validate’s environment and trial checks that a clean world passes', () => {
  const world = useTestWorld({ variant: 'production', leftovers: true }, { perTest: true });

  /** Runs validate as a non-superuser console role after `setup` (as the test's superuser) with that role's name. */
  async function asConsoleRole(setup: (role: string, other: string) => Promise<void>) {
    const suffix = randomBytes(4).toString('hex');
    const role = `validate_console_${suffix}`;
    const other = `validate_other_${suffix}`;
    const { sql } = world.database;
    await sql.unsafe(`CREATE ROLE ${role} NOSUPERUSER; CREATE ROLE ${other} NOSUPERUSER`);
    await sql.unsafe(`GRANT ALL ON SCHEMA public, cutover TO ${role};
      GRANT ALL ON ALL TABLES IN SCHEMA public, cutover TO ${role};
      GRANT ALL ON ALL SEQUENCES IN SCHEMA public, cutover TO ${role};
      GRANT ${role}, ${other} TO current_user`);
    for (const table of ['data_bars', 'derived_data_bars', 'core_asset_registry_all', 'data_agg_state'])
      await sql.unsafe(`ALTER TABLE public.${table} OWNER TO ${role}`);
    await sql.unsafe(
      `ALTER FUNCTION public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer) OWNER TO ${role}`,
    );
    await setup(role, other);
    const asConsole = postgres(world.url, {
      max: 4,
      onnotice: () => {},
      types: NUMBER_TYPES,
      connection: { role } as never,
    });
    try {
      return await runValidation({ ...world.database, sql: asConsole }, { config });
    } finally {
      await asConsole.end();
    }
  }

  it('a non-superuser owner of what the plan alters is GO (the ownership checks pass when they should)', async () => {
    const outcome = await asConsoleRole(async () => {});
    expect(outcome.items.find((i) => i.name === 'Console role')?.reason).toMatch(/^not a superuser/);
    expect(noGoItems(outcome.items)).toEqual([]);
  });

  it('NO-GO when the console does not own a table phase 2’s fix alters', async () => {
    const outcome = await asConsoleRole(async (role, other) => {
      // A new owner keeps no grant of the old one's: the console may still read and write, not ALTER.
      await world.database.sql.unsafe(
        `ALTER TABLE public.data_bars OWNER TO ${other}; GRANT ALL ON public.data_bars TO ${role}`,
      );
    });
    const item = noGoItems(outcome.items).find((i) => i.name === 'Console owns the tables phase 2 alters');
    expect(item?.reason).toMatch(/data_bars \(owner validate_other_/);
  });

  it('NO-GO when row-level security, forced on its owner, hides rows from the console', async () => {
    const outcome = await asConsoleRole(async () => {
      await world.database.sql.unsafe(
        'ALTER TABLE public.derived_data_bars ENABLE ROW LEVEL SECURITY; ALTER TABLE public.derived_data_bars FORCE ROW LEVEL SECURITY',
      );
    });
    const item = noGoItems(outcome.items).find(
      (i) => i.name === 'Row-level security does not hide rows from the console',
    );
    expect(item?.reason).toMatch(/RLS is enabled on derived_data_bars/);
  });

  it('a FINDING, not a NO-GO, when a file dump is requested and no pg_dump is on the PATH (phase 1 keeps its in-database backup alone)', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-for-validate-test';
    try {
      const outcome = await runValidation(world.database, {
        config: { ...config, dumpDirectory: '/tmp/validate-dumps' },
      });
      const item = outcome.items.find((i) => i.name === 'pg_dump');
      expect(item?.status).toBe('finding');
      expect(item?.reason).toMatch(/pg_dump is not installed: phase 1 will keep only its in-database backup/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('NO-GO when the legacy table refuses the soft-delete and data_bars refuses the normalization (triggers)', async () => {
    await world.database.sql.unsafe(`
      CREATE FUNCTION public.validate_test_refuse() RETURNS trigger LANGUAGE plpgsql
      AS $$ BEGIN RAISE EXCEPTION 'refused by validate_test_refuse on %', TG_TABLE_NAME; END $$;
      CREATE TRIGGER validate_test_no_soft_delete BEFORE UPDATE OF deleted_at ON public.derived_data_bars
        FOR EACH ROW EXECUTE FUNCTION public.validate_test_refuse();
      CREATE TRIGGER validate_test_no_update BEFORE UPDATE ON public.data_bars
        FOR EACH ROW EXECUTE FUNCTION public.validate_test_refuse()`);
    const outcome = await runValidation(world.database, { config });
    const names = noGoItems(outcome.items).map((i) => `${i.name}: ${i.reason}`);
    expect(names).toContainEqual(
      expect.stringMatching(/^Phase 9 · soft-delete batch: .*refused by validate_test_refuse on derived_data_bars/),
    );
    expect(names).toContainEqual(
      expect.stringMatching(
        /^Phase 2 · normalization of the earlier attempt’s rows: .*refused by validate_test_refuse on data_bars/,
      ),
    );
  });

  it('NO-GO when the rollback’s restore or back-fill is refused (triggers on un-deleting and inserting legacy rows)', async () => {
    await world.database.sql.unsafe(`
      CREATE FUNCTION public.validate_test_refuse() RETURNS trigger LANGUAGE plpgsql
      AS $$ BEGIN RAISE EXCEPTION 'refused by validate_test_refuse (%)', TG_OP; END $$;
      CREATE TRIGGER validate_test_no_restore BEFORE UPDATE ON public.derived_data_bars
        FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL) EXECUTE FUNCTION public.validate_test_refuse();
      CREATE TRIGGER validate_test_no_insert BEFORE INSERT ON public.derived_data_bars
        FOR EACH ROW EXECUTE FUNCTION public.validate_test_refuse()`);
    const outcome = await runValidation(world.database, { config });
    const byName = new Map(outcome.items.map((i) => [i.name, i]));
    expect(byName.get('Phase 9 · soft-delete batch')?.status).toBe('go');
    expect(byName.get('Rollback · restore of the soft-deleted rows')?.reason).toMatch(
      /refused by validate_test_refuse \(UPDATE\)/,
    );
    expect(byName.get('Rollback · back-fill of minutes only in data_bars')?.reason).toMatch(
      /refused by validate_test_refuse \(INSERT\)/,
    );
    expect(outcome.verdict).toBe('no-go');
  });

  it('a FINDING when a replica’s lag is hidden from the console’s role (no pg_read_all_stats)', async () => {
    const walsender = await openWalsender(world.url);
    try {
      const role = `t_no_stats_${process.pid}`;
      const item = await world.database.sql
        .begin(async (tx) => {
          await tx.unsafe(`CREATE ROLE ${role} NOLOGIN`);
          await tx.unsafe(`SET LOCAL ROLE ${role}`);
          throw Object.assign(new Error('roll back'), { item: await pacingSignalsItem(tx) });
        })
        .catch((error: { item?: ValidationItem }) => error.item);
      expect(item?.status).toBe('finding');
      expect(item?.reason).toMatch(/^the lag of 1 replica in pg_stat_replication is hidden .* GRANT pg_read_all_stats/);
    } finally {
      await walsender.end();
    }
  });

  it('reports the statement_timeout and lock_timeout in force for the console’s session', async () => {
    const timed = postgres(world.url, {
      max: 4,
      onnotice: () => {},
      types: NUMBER_TYPES,
      connection: { statement_timeout: 120_000, lock_timeout: 3_000 } as never,
    });
    try {
      const outcome = await runValidation({ ...world.database, sql: timed }, { config });
      const item = outcome.items.find((i) => i.name === 'Session timeouts');
      expect(item?.status).toBe('finding');
      expect(item?.reason).toMatch(/statement_timeout 2min, lock_timeout 3s/);
    } finally {
      await timed.end();
    }
  });

  it('NO-GO when a phase’s preconditions cannot be evaluated', async () => {
    const broken = definePhase({
      id: '10',
      number: 10,
      day: 3,
      estimateMinutes: 5,
      title: 'Throw-away phase',
      intent: 'Exists only in validate.test.ts.',
      pointOfNoReturn: 'None: it never runs.',
      stages: [{ id: 'never', title: 'never runs' }],
      checkpoint: z.looseObject({}),
      description: 'Its preconditions throw, as a phase reading a table the database lacks would.',
      async preconditions() {
        throw new Error('relation "public.no_such_table" does not exist');
      },
      async preview() {
        return { summary: [], sql: [], estimates: {} };
      },
      async execute() {
        return { state: 'done' };
      },
      async verify() {
        return { passed: true, checks: [] };
      },
    });
    const registry = createPhaseRegistry<PhaseDefinition>([...PHASES.all, broken]);
    const outcome = await runValidation(world.database, { config, registry });
    const item = noGoItems(outcome.items).find((i) => i.name === 'Phase 10: preconditions and preview');
    expect(item?.reason).toMatch(/could not be evaluated: relation "public.no_such_table" does not exist/);
  });

  it('the clock skew check fails beyond 5 s either way', () => {
    expect(clockSkewItem(4_900).status).toBe('go');
    expect(clockSkewItem(5_100).status).toBe('no-go');
    expect(clockSkewItem(-7_000).reason).toMatch(/-7\.00 s .* fix NTP/);
  });
});
