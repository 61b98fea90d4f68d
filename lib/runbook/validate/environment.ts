/**
 * Validate's environment checks (docs/phases.md "Validate — before the night"): which database
 * this is, what the console's role may do there (own what the plan alters, pass row-level
 * security, the timeouts in force), the worker role and the worker status command, pg_dump
 * against the server, and the clock skew between the console and the database. Reads only.
 */
import type { SqlOrTx } from '../../db/connection';
import { PIPELINE_TABLES } from '../../db/pipeline-tables';
import type { RunbookConfig } from '../engine/config';
import { hiddenReplicaLag } from '../engine/pacing/hidden-replica-lag';
import { readReplication } from '../engine/pacing/read-database-signals';
import { pgDumpMajorVersion } from '../phases/1-preflight/pg-dump';
import { planSchemaFix } from '../phases/2-schema/schema-report';
import { AGGREGATOR_5M } from '../phases/5-switch/aggregator-function';
import { RESTORED_FUNCTIONS } from '../phases/rollback/restore-from-backup';
import type { WorkerControl } from '../worker-control/worker-control';
import { errorText, finding, go, noGo, type ValidationItem } from './verdict';

/** Beyond this the console's clock and the database's disagree enough to misplace a batch's minute. */
export const MAX_CLOCK_SKEW_MS = 5_000;

/** Tables phase 2's fix alters (columns, the unique index, the source CHECK, the registry's metadata). */
const ALTERED_TABLES = ['data_bars', 'core_asset_registry_all'];

export interface DatabaseIdentity {
  database: string;
  serverVersion: string;
  systemIdentifier: string | null;
  address: string | null;
  clusterName: string | null;
  consoleRole: string;
}

async function readIdentity(sql: SqlOrTx): Promise<DatabaseIdentity> {
  const [row] = await sql<
    { database: string; version: string; address: string | null; cluster: string | null; role: string }[]
  >`
    select current_database() as database, current_setting('server_version') as version,
           case when inet_server_addr() is null then null
                else host(inet_server_addr()) || ':' || inet_server_port() end as address,
           nullif(current_setting('cluster_name', true), '') as cluster, current_user as role`;
  // pg_control_system() is for superusers and pg_monitor members; elsewhere the address identifies the server.
  let systemIdentifier: string | null = null;
  try {
    const [control] = await sql<{ id: string }[]>`select system_identifier::text as id from pg_control_system()`;
    systemIdentifier = control?.id ?? null;
  } catch {
    systemIdentifier = null;
  }
  return {
    database: row?.database ?? '',
    serverVersion: row?.version ?? '',
    systemIdentifier,
    address: row?.address ?? null,
    clusterName: row?.cluster ?? null,
    consoleRole: row?.role ?? '',
  };
}

interface RoleFacts {
  name: string;
  super: boolean;
  bypassrls: boolean;
  statement_timeout: string;
  lock_timeout: string;
}

async function consoleRoleItems(sql: SqlOrTx): Promise<ValidationItem[]> {
  const [role] = await sql<RoleFacts[]>`
    select r.rolname as name, r.rolsuper as super, r.rolbypassrls as bypassrls,
           current_setting('statement_timeout') as statement_timeout, current_setting('lock_timeout') as lock_timeout
      from pg_roles r where r.rolname = current_user`;
  const facts = role ?? { name: '', super: false, bypassrls: false, statement_timeout: '0', lock_timeout: '0' };
  const items: ValidationItem[] = [
    go(
      'environment',
      'Console role',
      facts.super
        ? 'superuser (production’s console is normally not: the ownership checks below matter there)'
        : `not a superuser${facts.bypassrls ? ', BYPASSRLS' : ''}`,
      facts,
    ),
  ];
  const tables = await sql<{ name: string; owner: string; owns: boolean; rls: boolean; forced: boolean }[]>`
    select c.relname as name, pg_get_userbyid(c.relowner) as owner,
           pg_has_role(current_user, c.relowner, 'USAGE') as owns,
           c.relrowsecurity as rls, c.relforcerowsecurity as forced
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relname = any(${[...PIPELINE_TABLES]}::text[])
     order by c.relname`;
  // The fix alters a table only when it has statements to run; altering needs its owner.
  const fix = await planSchemaFix(sql).catch(() => ({ statements: [] as { sql: string }[] }));
  const altered = ALTERED_TABLES.filter((t) => fix.statements.some((s) => new RegExp(`public\\.${t}\\b`).test(s.sql)));
  const notOwned = tables.filter((t) => altered.includes(t.name) && !t.owns && !facts.super);
  items.push(
    notOwned.length > 0
      ? noGo(
          'environment',
          'Console owns the tables phase 2 alters',
          `the console (${facts.name}) is not (a member of) the owner of ${notOwned.map((t) => `${t.name} (owner ${t.owner})`).join(', ')}: phase 2’s fix cannot ALTER them`,
          tables,
        )
      : go(
          'environment',
          'Console owns the tables phase 2 alters',
          altered.length === 0
            ? 'phase 2 alters no table here'
            : `owner (or member of the owner) of ${altered.join(', ')}`,
          tables,
        ),
  );
  // Row-level security binds every role but superusers, BYPASSRLS roles and (unless FORCEd) the owner.
  const blocked = tables.filter((t) => t.rls && !facts.super && !facts.bypassrls && (!t.owns || t.forced));
  items.push(
    blocked.length > 0
      ? noGo(
          'environment',
          'Row-level security does not hide rows from the console',
          `RLS is enabled on ${blocked.map((t) => t.name).join(', ')} and the console role has neither BYPASSRLS nor (unforced) ownership: the copy, the proofs and the soft-delete would see only the rows a policy lets through`,
        )
      : go(
          'environment',
          'Row-level security does not hide rows from the console',
          tables.some((t) => t.rls)
            ? `RLS on ${tables
                .filter((t) => t.rls)
                .map((t) => t.name)
                .join(', ')}: the console bypasses it`
            : 'no pipeline table has RLS enabled',
        ),
  );
  const functions = await sql<{ name: string; signature: string; owner: string; owns: boolean }[]>`
    select p.proname as name, p.oid::regprocedure::text as signature, pg_get_userbyid(p.proowner) as owner,
           pg_has_role(current_user, p.proowner, 'USAGE') as owns
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = any(${RESTORED_FUNCTIONS}::text[])
     order by 1, 2`;
  const aggregator = functions.filter((f) => f.name === AGGREGATOR_5M);
  const foreignAggregator = aggregator.filter((f) => !f.owns && !facts.super);
  items.push(
    foreignAggregator.length > 0
      ? noGo(
          'environment',
          `Console owns ${AGGREGATOR_5M}`,
          `${foreignAggregator.map((f) => `${f.signature} is owned by ${f.owner}`).join('; ')}: the console cannot replace a function it does not own (phase 5) nor restore it (rollback)`,
          aggregator,
        )
      : go(
          'environment',
          `Console owns ${AGGREGATOR_5M}`,
          aggregator.length === 0 ? 'the function does not exist (see phase 5 below)' : 'owner or member of the owner',
          aggregator,
        ),
  );
  const otherForeign = functions.filter((f) => f.name !== AGGREGATOR_5M && !f.owns && !facts.super);
  if (otherForeign.length > 0)
    items.push(
      finding(
        'environment',
        'Other pipeline functions the console does not own',
        `${otherForeign.map((f) => `${f.signature} (owner ${f.owner})`).join('; ')}: the plan does not change them; a rollback restores them only if something else did`,
      ),
    );
  items.push(
    facts.statement_timeout === '0' && facts.lock_timeout === '0'
      ? go('environment', 'Session timeouts', 'statement_timeout and lock_timeout are off for the console’s session')
      : finding(
          'environment',
          'Session timeouts',
          `statement_timeout ${facts.statement_timeout}, lock_timeout ${facts.lock_timeout} in force for the console’s session: ` +
            'the backup’s copy and the index build run as single statements under them',
        ),
  );
  return items;
}

async function workerItems(sql: SqlOrTx, config: RunbookConfig, workers: WorkerControl): Promise<ValidationItem[]> {
  const [role] = await sql`select 1 from pg_roles where rolname = ${config.workerRole}`;
  const items: ValidationItem[] = [
    role
      ? go('environment', 'Worker role exists', `${config.workerRole} exists (phase 3 grants it EXECUTE)`)
      : noGo(
          'environment',
          'Worker role exists',
          `role ${config.workerRole} (CUTOVER_WORKER_ROLE) does not exist: the workers could not call calc_dxy_range_1m`,
        ),
  ];
  try {
    const status = await workers.status();
    const evidence = { mode: status.mode, healthy: status.healthy, detail: status.detail };
    items.push(
      status.healthy && status.mode !== null
        ? go('environment', 'Worker status command', `healthy, mode ${status.mode} (${workers.kind})`, evidence)
        : noGo(
            'environment',
            'Worker status command',
            status.mode === null
              ? `reported no mode (${status.detail}): phases 7, 9 and the rollback could not prove the workers’ mode`
              : `not healthy: ${status.detail}`,
            evidence,
          ),
    );
  } catch (error) {
    items.push(noGo('environment', 'Worker status command', `failed: ${errorText(error)}`));
  }
  return items;
}

function pgDumpItem(serverMajor: number, config: RunbookConfig): ValidationItem {
  const major = pgDumpMajorVersion();
  if (!config.dumpDirectory)
    return go(
      'environment',
      'pg_dump',
      `no file dump requested (CUTOVER_PG_DUMP_DIR=off)${major === null ? '' : `; pg_dump ${major} is installed`}`,
    );
  // Phase 1 writes no file then and says so; its in-database backup, proven by restoring it, stands alone.
  if (major === null)
    return finding(
      'environment',
      'pg_dump',
      `a file dump is requested (${config.dumpDirectory}) but pg_dump is not installed: phase 1 will keep only its in-database backup. Install pg_dump ${serverMajor} or newer for a file copy too, or set CUTOVER_PG_DUMP_DIR=off`,
    );
  if (major < serverMajor)
    return finding(
      'environment',
      'pg_dump',
      `pg_dump ${major} cannot dump the PostgreSQL ${serverMajor} server: phase 1 will keep only its in-database backup (file dumps go to ${config.dumpDirectory} once pg_dump ${serverMajor} or newer is installed)`,
    );
  return go(
    'environment',
    'pg_dump',
    `pg_dump ${major} for PostgreSQL ${serverMajor}; dumps go to ${config.dumpDirectory}`,
  );
}

/** Whether the batched phases' pacing can read every replica's lag (../engine/pacing/hidden-replica-lag.ts). */
export async function pacingSignalsItem(sql: SqlOrTx): Promise<ValidationItem> {
  const replication = await readReplication(sql);
  const hidden = hiddenReplicaLag(replication);
  if (hidden) return finding('environment', 'Pacing signals', `${hidden}.`, replication);
  return go(
    'environment',
    'Pacing signals',
    replication.replicas === 0
      ? 'no replica in pg_stat_replication; lock waits, WAL and checkpoints and the workers’ latency pace the batches'
      : `${replication.replicas} replica${replication.replicas === 1 ? '' : 's'}, lag readable (largest ${replication.maxLagS ?? 0} s): the batches wait for it`,
    replication,
  );
}

/** The verdict on a measured skew (database minus console, in ms). */
export function clockSkewItem(skewMs: number): ValidationItem {
  const text = `${(skewMs / 1000).toFixed(2)} s (database minus console; threshold ${MAX_CLOCK_SKEW_MS / 1000} s)`;
  return Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS
    ? go('environment', 'Clock skew', text, { skewMs })
    : noGo('environment', 'Clock skew', `${text}: fix NTP on the console host or the database`, { skewMs });
}

async function clockItem(sql: SqlOrTx): Promise<ValidationItem> {
  const before = Date.now();
  const [row] = await sql<{ now: Date }[]>`select clock_timestamp() as now`;
  const after = Date.now();
  // Against the middle of the round trip, so the query's own latency is not counted as skew.
  return clockSkewItem((row?.now.getTime() ?? before) - (before + after) / 2);
}

export async function checkEnvironment(
  sql: SqlOrTx,
  params: { config: RunbookConfig; workers: WorkerControl },
): Promise<{ identity: DatabaseIdentity; items: ValidationItem[] }> {
  const identity = await readIdentity(sql);
  const [version] = await sql<{ major: number }[]>`select current_setting('server_version_num')::int / 10000 as major`;
  const items: ValidationItem[] = [
    go(
      'environment',
      'Database',
      `${identity.database} on PostgreSQL ${identity.serverVersion}` +
        `${identity.systemIdentifier ? `, system ${identity.systemIdentifier}` : ''}` +
        `${identity.address ? `, at ${identity.address}` : ''}${identity.clusterName ? `, cluster ${identity.clusterName}` : ''}` +
        `, as ${identity.consoleRole}`,
      identity,
    ),
    ...(await consoleRoleItems(sql)),
    ...(await workerItems(sql, params.config, params.workers)),
    pgDumpItem(version?.major ?? 0, params.config),
    await clockItem(sql),
    await pacingSignalsItem(sql),
  ];
  return { identity, items };
}
