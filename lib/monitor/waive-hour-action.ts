/**
 * An approver may waive a FAIL hour of the window with a recorded reason, so that phase 9 can go
 * ahead when the failure is understood (e.g. a known provider outage). The waiver is audited and
 * shown on the monitor beside the hour.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../auth/action';
import { getMonitorSnapshot, waiveMonitorSnapshot } from '../db/tables/monitor-snapshots';

export const waiveFailedHour = defineAction({
  name: 'monitor.waive_hour',
  input: z.object({
    snapshotId: z.coerce.number().int().positive(),
    reason: z.string().trim().min(10, 'Explain the waiver in at least 10 characters').max(2000),
  }),
  roles: ['approver'],
  async run({ tx, input, user }) {
    const snapshot = await getMonitorSnapshot(tx, { id: input.snapshotId, forUpdate: true });
    if (!snapshot) throw new ActionRefused(`No snapshot #${input.snapshotId}.`);
    if (!snapshot.settledAt)
      throw new ActionRefused(
        'The hour is provisional: late data may still change its verdict. Waive it once it has settled.',
      );
    if (snapshot.verdict !== 'FAIL') throw new ActionRefused('Only a FAIL hour can be waived.');
    if (snapshot.waivedBy) throw new ActionRefused(`Already waived by ${snapshot.waivedBy}.`);
    await waiveMonitorSnapshot(tx, { id: snapshot.id, waivedBy: user.username, reason: input.reason });
    return { snapshotId: snapshot.id, hourStart: snapshot.hourStart.toISOString(), waivedBy: user.username };
  },
});
