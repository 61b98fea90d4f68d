/**
 * `npm run users -- confirm ID`: a second operating-system user confirms a break-glass change asked
 * during an active migration run (lib/auth/break-glass.ts), which then applies — attributed to both
 * OS users in the account's provenance — in one transaction with its audit row. Refusals (the same
 * OS user, expired, already decided) are audited too.
 */
import type { Database, SqlOrTx } from '../db/connection';
import { recordAudit } from './audit';
import {
  applyBreakGlassChange,
  closeBreakGlassChange,
  type OsIdentity,
  readBreakGlassChange,
  whyNotConfirmable,
} from './break-glass';
import { lockUserAdministration } from './users';

export type ConfirmResult = { status: 'ok'; message: string } | { status: 'refused'; reason: string };

class Refused extends Error {}

export async function confirmBreakGlassChange(
  database: Database,
  params: { id: number; confirmer: OsIdentity },
): Promise<ConfirmResult> {
  const { id, confirmer } = params;
  const audit = (sql: SqlOrTx, outcome: 'ok' | 'refused', detail: Record<string, unknown>) =>
    recordAudit(sql, {
      userId: null,
      username: `cli:${confirmer.osUser}@${confirmer.host}`,
      action: 'users.break_glass_confirm',
      outcome,
      inputs: { changeId: id },
      detail: { ...confirmer, breakGlass: true, ...detail },
    });
  try {
    return await database.sql.begin(async (tx) => {
      await lockUserAdministration(tx);
      const change = await readBreakGlassChange(tx, { id, forUpdate: true });
      const refusal = await whyNotConfirmable(tx, change, { id, confirmer });
      if (refusal || !change) throw new Refused(refusal ?? `No break-glass change #${id}.`);
      const applied = await applyBreakGlassChange(tx, change, {
        via: change.firstAdmin ? 'first-admin' : 'break-glass',
        osUser: change.requestedOsUser,
        host: change.requestedHost,
        confirmedByOsUser: confirmer.osUser,
        breakGlassChangeId: change.id,
      });
      await closeBreakGlassChange(tx, { id, status: 'confirmed', confirmer, outcome: applied.message });
      await audit(tx, 'ok', {
        command: change.command,
        username: change.username,
        roles: change.roles,
        reason: change.reason,
        requestedBy: { osUser: change.requestedOsUser, host: change.requestedHost },
        migrationRunId: change.migrationRunId,
        result: applied.result,
      });
      return { status: 'ok', message: applied.message } as const;
    });
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    await audit(database.sql, 'refused', { reason: error.message });
    return { status: 'refused', reason: error.message };
  }
}
