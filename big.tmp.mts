import { connectDatabase } from '/work/main/lib/db/connection';
import { startEmbeddedDatabase } from '/work/main/lib/db/embedded';
import { migrateConsoleSchema } from '/work/main/lib/db/migrate';
import { createRehearsalWorld } from '/work/main/lib/market/rehearsal/create-world';
import { compareDxyByBucket } from '/work/main/lib/monitor/compare-dxy';

const emb = await startEmbeddedDatabase({ dataDir: '/tmp/scratch/big' });
const db = connectDatabase(emb.url);
await migrateConsoleSchema(db);
const [has] = await db.sql`select to_regclass('public.data_bars') as t`;
if (!has.t) {
  const t = Date.now();
  const w = await createRehearsalWorld(db, {
    variant: 'production',
    days: 730,
    now: new Date('2026-11-25T14:00:00Z'),
    log: (l) => console.log(new Date().toISOString(), l),
  });
  console.log('world', (Date.now() - t) / 1000, 's', w.providerBars, w.legacyDxyBars);
}
const from = new Date('2024-11-25T00:00:00Z'),
  to = new Date('2026-11-26T00:00:00Z');
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const rows = await compareDxyByBucket(db.sql, { from, to, bucket: 'day' });
  console.log('compare 2y by day', (performance.now() - t).toFixed(0), 'ms', rows.length);
}
{
  const t = performance.now();
  await db.sql`select count(*) from public.derived_data_bars where canonical_symbol='DXY' and timeframe='1m' and deleted_at is null`;
  console.log('count legacy', (performance.now() - t).toFixed(0));
}
await db.close();
await emb.stop();
