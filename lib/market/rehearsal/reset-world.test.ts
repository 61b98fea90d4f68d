import { beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../../scripts/prepare-database';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestDatabase } from '../../../test-support/world-database';
import { AGGREGATE_1M_TO_5M_LEGACY_SQL } from './legacy-functions-sql';
import { inspectWorldOwnership, ResetRefused, resetRehearsalWorld } from './reset-world';

const options = { variant: 'plan' as const, days: 1, now: MIDWEEK_NOW, speed: 1 };

describe('rehearsal world ownership', () => {
  const empty = useTestDatabase();
  const foreign = useTestDatabase();
  beforeAll(async () => {
    await foreign.database.sql`create table public.data_bars (id bigserial primary key, canonical_symbol text)`;
    await foreign.database.sql`insert into public.data_bars (canonical_symbol) values ('EURUSD')`;
  });

  it('builds a world in an empty database and rebuilds it on reset', async () => {
    expect(await inspectWorldOwnership(empty.database)).toBe('empty');
    await resetRehearsalWorld(empty.database, options);
    expect(await inspectWorldOwnership(empty.database)).toBe('rehearsal');
    await empty.database
      .sql`insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, close, source, raw)
                             values ('ZZZ', 'Z', '1m', now(), 1, 'ingest', '{}')`;
    await resetRehearsalWorld(empty.database, options);
    const [row] = await empty.database
      .sql`select count(*)::int as n from public.data_bars where canonical_symbol = 'ZZZ'`;
    expect(row?.n).toBe(0);
    const [source] = await empty.database.sql`select distinct source from public.data_bars`;
    expect(source?.source).toBe('massive_api');
  });

  it('drops every overload of every pipeline function and the default privileges of a production world', async () => {
    await resetRehearsalWorld(empty.database, { ...options, variant: 'production' });
    // An overload an earlier phase might have added.
    await empty.database.sql.unsafe(AGGREGATE_1M_TO_5M_LEGACY_SQL);
    await resetRehearsalWorld(empty.database, options);
    const functions = await empty.database.sql<{ signature: string }[]>`
      select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' and p.proname like any (array['calc_dxy%', 'aggregate_%', 'catchup%', '_upsert%'])
       order by 1`;
    expect(functions.map((f) => f.signature)).toEqual([
      'aggregate_1m_to_5m_window(text,timestamp with time zone,timestamp with time zone)',
      'aggregate_5m_to_1h_window(text,timestamp with time zone,timestamp with time zone)',
      'calc_dxy_range_derived(timestamp with time zone,timestamp with time zone,text,integer)',
    ]);
    const [acl] = await empty.database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_default_acl d cross join lateral aclexplode(d.defaclacl) a
       where a.grantee in (select oid from pg_roles where rolname in ('anon', 'authenticated'))`;
    expect(acl?.n).toBe(0);
  });

  it('refuses to reset a database with pipeline tables it did not create, and changes nothing', async () => {
    expect(await inspectWorldOwnership(foreign.database)).toBe('foreign');
    await expect(resetRehearsalWorld(foreign.database, options)).rejects.toBeInstanceOf(ResetRefused);
    const [row] = await foreign.database.sql`select count(*)::int as n from public.data_bars`;
    expect(row?.n).toBe(1);
  });

  it('never creates a world at start in a database given by DATABASE_URL, and reports missing tables', async () => {
    const prepared = await prepareDatabase(foreign.database, { ownsDatabase: false });
    expect(prepared.worldCreated).toBeNull();
    expect(prepared.missingTables).toEqual([
      'derived_data_bars',
      'core_asset_registry_all',
      'data_agg_state',
      'ops_runlog',
    ]);
  });
});
