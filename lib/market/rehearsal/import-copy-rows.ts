/**
 * Streams one COPY's data from the dump into the server, honouring back-pressure, and catches an error the server
 * reports after the last chunk.
 */
import type { TransactionSql } from 'postgres';

/** Streams the COPY data (blocks of lines) into the server in chunks, honouring back-pressure. Returns the row count. */
export async function copyRows(sp: TransactionSql, copySql: string, rows: AsyncIterable<string>): Promise<number> {
  const query = sp.unsafe(copySql);
  // postgres.js resolves the query with the stream as soon as COPY starts; an error the server
  // reports after the last chunk (a duplicate key in the final rows) then reaches only the
  // query's own reject and would be lost, leaving the stream's "finish" pending forever.
  // Catch it there as well.
  let failure: Error | null = null;
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = (error) => {
      failure ??= error;
      reject(error);
    };
  });
  failed.catch(() => {});
  const internals = query as unknown as { reject: (error: unknown) => void };
  const rejectQuery = internals.reject;
  internals.reject = (error) => {
    fail(error instanceof Error ? error : new Error(String(error)));
    rejectQuery(error);
  };
  const writable = await query.writable();
  writable.once('error', (error: Error) => fail(error));
  let count = 0;
  let chunk = '';
  const write = async (data: string) => {
    if (failure) throw failure;
    if (!writable.write(data)) await Promise.race([new Promise((done) => writable.once('drain', done)), failed]);
  };
  for await (const block of rows) {
    chunk += block;
    for (let at = block.indexOf('\n'); at !== -1; at = block.indexOf('\n', at + 1)) count += 1;
    if (chunk.length >= 256 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  await Promise.race([
    new Promise<void>((done) => {
      writable.once('finish', () => done());
      writable.end();
    }),
    failed,
  ]);
  if (failure) throw failure;
  return count;
}
