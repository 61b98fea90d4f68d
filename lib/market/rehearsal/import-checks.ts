/**
 * What an imported world must hold before the console records it as a rehearsal world: every pipeline table, the
 * functions the simulated workers call, and 1m bars of the DXY components to continue from.
 */
import type { TransactionSql } from 'postgres';
import { findMissingPipelineTables } from '../../db/pipeline-tables';
import { DXY_COMPONENTS } from '../dxy';
import { ImportFailed } from './import-errors';

/** Without these the simulated workers cannot run: a dump lacking them is refused. */
const REQUIRED_FUNCTIONS = ['calc_dxy_range_derived', 'aggregate_1m_to_5m_window', 'aggregate_5m_to_1h_window'];

/** The imported DXY component bars' first and newest minute; throws ImportFailed naming what the dump lacks. */
export async function checkImportedPipeline(tx: TransactionSql): Promise<{ minute: Date; first: Date }> {
  const missingTables = await findMissingPipelineTables(tx);
  if (missingTables.length > 0) {
    throw new ImportFailed(
      `The dump lacks pipeline tables: ${missingTables.join(', ')}. Take it with the command in the README ` +
        '("Rehearsing on a production dump"), or use the pg_dump file phase 1 wrote.',
    );
  }
  const present = await tx<{ name: string }[]>`
    select distinct p.proname as name from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname in ${tx(REQUIRED_FUNCTIONS)}`;
  const missingFunctions = REQUIRED_FUNCTIONS.filter((name) => !present.some((p) => p.name === name));
  if (missingFunctions.length > 0) {
    throw new ImportFailed(
      `The dump lacks the pipeline functions ${missingFunctions.join(', ')} (the simulated workers call them). ` +
        "A dump of the tables alone is not enough: take it with the README's command, which includes schema public's functions.",
    );
  }
  const [newest] = await tx<{ minute: Date | null; first: Date | null }[]>`
    select max(ts_utc) as minute, min(ts_utc) as first from public.data_bars
     where timeframe = '1m' and canonical_symbol in ${tx([...DXY_COMPONENTS])}`;
  if (!newest?.minute || !newest.first) {
    throw new ImportFailed('The dump holds no 1m bars of the DXY components: there is nothing to continue from.');
  }
  return { minute: newest.minute, first: newest.first };
}
