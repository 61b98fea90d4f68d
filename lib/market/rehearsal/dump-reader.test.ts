/**
 * The dump reader's statement splitting (quotes, dollar quotes, comments, COPY data) and the
 * importer's classification of what may fail, on hand-written plain dumps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DumpEntry, type DumpItem, openDump } from './dump-reader';
import { isCriticalStatement, localizeSettings } from './dump-statements';

const work = mkdtempSync(join(tmpdir(), 'dxy-dump-reader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Items as read, with each COPY's data collected into one string. */
type ReadItem =
  | Exclude<DumpItem, { kind: 'copy' }>
  | { kind: 'copy'; sql: string; entry: DumpEntry | null; data: string };

async function read(text: string): Promise<ReadItem[]> {
  const file = join(work, `dump-${Math.random().toString(36).slice(2)}.sql`);
  writeFileSync(file, text);
  const source = openDump(file);
  const items: ReadItem[] = [];
  for await (const item of source.items) {
    if (item.kind === 'copy') {
      let data = '';
      for await (const block of item.rows) data += block;
      items.push({ kind: 'copy', sql: item.sql, entry: item.entry, data });
    } else items.push(item);
  }
  await source.close();
  return items;
}

describe('the dump reader', () => {
  it('splits statements at semicolons outside quotes, dollar quotes and comments', async () => {
    const items = await read(
      [
        "SET standard_conforming_strings = on; SELECT 'a;b', E'it\\'s;', \"odd;name\" FROM t;",
        'CREATE FUNCTION public.f() RETURNS text LANGUAGE plpgsql AS $body$',
        "BEGIN RETURN 'x;y' || $$;$$; -- not the end;",
        'END /* a ; /* nested ; */ comment */',
        '$body$;',
        '',
      ].join('\n'),
    );
    expect(items.map((item) => item.kind === 'statement' && item.sql)).toEqual([
      'SET standard_conforming_strings = on;',
      "SELECT 'a;b', E'it\\'s;', \"odd;name\" FROM t;",
      [
        'CREATE FUNCTION public.f() RETURNS text LANGUAGE plpgsql AS $body$',
        "BEGIN RETURN 'x;y' || $$;$$; -- not the end;",
        'END /* a ; /* nested ; */ comment */',
        '$body$;',
      ].join('\n'),
    ]);
  });

  it('passes COPY data through untouched up to \\., with the entry header it belongs to', async () => {
    const items = await read(
      [
        '--',
        '-- Data for Name: data_bars; Type: TABLE DATA; Schema: public; Owner: postgres',
        '--',
        '',
        'COPY public.data_bars (id, raw) FROM stdin;',
        '1\t{"a": "x;y"}',
        "2\t-- not a comment; 'not a quote",
        '\\.',
        '',
        '\\unrestrict abc',
        "SELECT pg_catalog.setval('public.data_bars_id_seq', 2, true);",
      ].join('\n'),
    );
    expect(items).toEqual([
      {
        kind: 'copy',
        sql: 'COPY public.data_bars (id, raw) FROM stdin;',
        entry: { name: 'data_bars', type: 'TABLE DATA', schema: 'public', owner: 'postgres' },
        data: '1\t{"a": "x;y"}\n2\t-- not a comment; \'not a quote\n',
      },
      {
        kind: 'meta',
        line: '\\unrestrict abc',
        entry: { name: 'data_bars', type: 'TABLE DATA', schema: 'public', owner: 'postgres' },
      },
      {
        kind: 'statement',
        sql: "SELECT pg_catalog.setval('public.data_bars_id_seq', 2, true);",
        entry: { name: 'data_bars', type: 'TABLE DATA', schema: 'public', owner: 'postgres' },
      },
    ]);
  });
});

describe('the dump reader on COPY data larger than a read chunk', () => {
  it('returns every row once, whatever chunk boundary the rows and the \\. line fall on', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i}\t${'x'.repeat(i % 97)}\t\\N\n`).join('');
    const items = await read(`COPY public.ops_runlog (id, job_name, env_name) FROM stdin;\n${rows}\\.\nSELECT 1;\n`);
    expect(rows.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(items).toHaveLength(2);
    expect(items[0]?.kind === 'copy' && items[0].data === rows).toBe(true);
    expect(items[1]).toMatchObject({ kind: 'statement', sql: 'SELECT 1;' });
  });
});

describe('what may fail an import', () => {
  it('pipeline tables, their keys, indexes and data, and pipeline functions are critical', () => {
    for (const statement of [
      'CREATE TABLE public.data_bars (id bigint NOT NULL);',
      'CREATE TABLE IF NOT EXISTS "public"."derived_data_bars" (id bigint);',
      'ALTER TABLE ONLY public.data_bars ADD CONSTRAINT data_bars_symbol_tf_ts_unique UNIQUE (canonical_symbol, timeframe, ts_utc);',
      'CREATE UNIQUE INDEX derived_data_bars_active_key ON public.derived_data_bars USING btree (ts_utc);',
      'COPY public.ops_runlog (id) FROM stdin;',
      'ALTER SEQUENCE public.data_bars_id_seq OWNED BY public.data_bars.id;',
      'CREATE FUNCTION public.aggregate_1m_to_5m_window(p_symbol text) RETURNS jsonb LANGUAGE sql AS $$ select 1 $$;',
      'CREATE OR REPLACE FUNCTION "public"."catchup_aggregation_range"("p_symbol" "text") RETURNS jsonb AS $$ $$;',
    ]) {
      expect(isCriticalStatement(statement), statement).toBe(true);
    }
  });

  it('grants, owners, policies, triggers, foreign keys and other objects are reported instead', () => {
    for (const statement of [
      'ALTER TABLE public.data_bars OWNER TO supabase_admin;',
      'GRANT ALL ON TABLE public.data_bars TO anon;',
      'ALTER FUNCTION public.calc_dxy_range_derived(timestamptz) OWNER TO postgres;',
      'CREATE POLICY read ON public.data_bars USING (auth.uid() IS NOT NULL);',
      'ALTER TABLE public.data_bars ENABLE ROW LEVEL SECURITY;',
      'CREATE TRIGGER hook AFTER INSERT ON public.data_bars FOR EACH ROW EXECUTE FUNCTION supabase_functions.http_request();',
      'ALTER TABLE ONLY public.data_bars ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES auth.users(id);',
      'CREATE TABLE public.data_bars_archive (id bigint);',
      'CREATE VIEW public.latest AS SELECT * FROM public.data_bars;',
      'CREATE FUNCTION public.calc_dxy_range_derived_v2() RETURNS void AS $$ $$;',
      'CREATE EXTENSION IF NOT EXISTS pg_net;',
    ]) {
      expect(isCriticalStatement(statement), statement).toBe(false);
    }
  });

  it("makes the dump's session settings transaction-local", () => {
    expect(localizeSettings('SET check_function_bodies = false;')).toBe('SET LOCAL check_function_bodies = false;');
    expect(localizeSettings("SELECT pg_catalog.set_config('search_path', '', false);")).toBe(
      "SELECT pg_catalog.set_config('search_path', '', true);",
    );
    expect(localizeSettings('SET SESSION AUTHORIZATION postgres;')).toBe('SET LOCAL SESSION AUTHORIZATION postgres;');
    expect(localizeSettings('CREATE SCHEMA public;')).toBe('CREATE SCHEMA IF NOT EXISTS public;');
  });
});
