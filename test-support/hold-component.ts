/**
 * A DXY component the provider holds back, for tests of late data: USDSEK's new 1m bars are diverted
 * to a table of the test's own while the world runs on, then land at once.
 */
import type { Sql } from 'postgres';

/**
 * The provider holds USDSEK back from `from`: a trigger diverts its new 1m bars to public.test_held_usdsek while the
 * world runs on; releaseUsdsek lands them, late.
 */
export async function holdUsdsekFrom(sql: Sql, from: Date): Promise<void> {
  await sql`create table public.test_held_usdsek (like public.data_bars)`;
  await sql.unsafe(`
    create function public.test_hold_usdsek() returns trigger language plpgsql as $$
    begin
      if new.canonical_symbol = 'USDSEK' and new.timeframe = '1m' and new.ts_utc >= '${from.toISOString()}' then
        insert into public.test_held_usdsek select new.*;
        return null;
      end if;
      return new;
    end $$;
    create trigger test_hold_usdsek before insert on public.data_bars
      for each row execute function public.test_hold_usdsek()`);
}

/**
 * The held USDSEK bars land now, and the deployed writers derive DXY over the minutes they complete (the
 * tick-factory's look-back): the legacy function, and in mode dual calc_dxy_range_1m too.
 */
export async function releaseUsdsek(
  sql: Sql,
  params: { from: Date; now: Date; mode?: 'legacy' | 'dual' },
): Promise<number> {
  await sql`drop trigger test_hold_usdsek on public.data_bars`;
  const landed = await sql`
    insert into public.data_bars select * from public.test_held_usdsek on conflict do nothing returning ts_utc`;
  await sql`update public.data_bars set ingested_at = ${params.now} where canonical_symbol = 'USDSEK' and ts_utc >= ${params.from}`;
  if (params.mode === 'dual')
    await sql`select public.calc_dxy_range_1m(p_from_utc => ${params.from}, p_to_utc => ${params.now})`;
  await sql`select public.calc_dxy_range_derived(p_from_utc => ${params.from}, p_to_utc => ${params.now})`;
  return landed.length;
}
