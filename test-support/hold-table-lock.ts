/**
 * Another session holding the lock a live writer holds mid-insert (ROW EXCLUSIVE on a table) until
 * released: what DDL on that table meets on a production primary (docs/phases.md, phase 9's fence).
 */
import postgres, { type Sql } from 'postgres';
import { connectionUrlOf } from '../lib/db/connection';

export async function holdWriterLock(sql: Sql, table: string): Promise<{ release(): Promise<void> }> {
  const holder = postgres(connectionUrlOf(sql), { max: 1, onnotice: () => {} });
  const reserved = await holder.reserve();
  await reserved`begin`;
  await reserved.unsafe(`lock table ${table} in row exclusive mode`);
  return {
    async release() {
      await reserved`rollback`;
      reserved.release();
      await holder.end();
    },
  };
}
