/**
 * Which of the pipeline's tables exist. Pointed at a database that lacks them, the console
 * starts and says which are missing instead of crashing, and never creates them there.
 */
import type { SqlOrTx } from './connection';

export const PIPELINE_TABLES = [
  'data_bars',
  'derived_data_bars',
  'core_asset_registry_all',
  'data_agg_state',
  'ops_runlog',
] as const;

export type PipelineTable = (typeof PIPELINE_TABLES)[number];

export async function findMissingPipelineTables(sql: SqlOrTx): Promise<PipelineTable[]> {
  const rows = await sql<{ name: PipelineTable; present: boolean }[]>`
    select t.name, to_regclass('public.' || t.name) is not null as present
      from unnest(${[...PIPELINE_TABLES]}::text[]) as t(name)`;
  return rows.filter((row) => !row.present).map((row) => row.name);
}

/** The pipeline's run log is optional: the console writes to it, and checks it, only when it exists. */
export async function opsRunlogExists(sql: SqlOrTx): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`select to_regclass('public.ops_runlog') is not null as present`;
  return Boolean(row?.present);
}
