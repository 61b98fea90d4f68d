/**
 * An approver may waive a FAIL hour of the window with a recorded reason, so that phase 9 can go
 * ahead when the failure is understood (e.g. a known provider outage). The waiver is audited and
 * shown on the monitor beside the hour.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../auth/action';

export const waiveFailedHour = defineAction({
  name: 'monitor.waive_hour',
  input: z.object({
    snapshotId: z.coerce.number().int().positive(),
    reason: z.string().trim().min(10, 'Explain the waiver in at least 10 characters').max(2000),
  }),
  roles: ['approver'],
  async run({ tx, input, user }) {
    const [snapshot] = await tx<{ id: number; verdict: string; waived_by: string | null; hour_start: Date }[]>`
      select id, verdict, waived_by, hour_start from cutover.monitor_snapshots where id = ${input.snapshotId} for update`;
    if (!snapshot) throw new ActionRefused(`No snapshot #${input.snapshotId}.`);
    if (snapshot.verdict !== 'FAIL') throw new ActionRefused('Only a FAIL hour can be waived.');
    if (snapshot.waived_by) throw new ActionRefused(`Already waived by ${snapshot.waived_by}.`);
    await tx`update cutover.monitor_snapshots set waived_by = ${user.username}, waiver_reason = ${input.reason}
              where id = ${snapshot.id}`;
    return { snapshotId: snapshot.id, hourStart: snapshot.hour_start.toISOString(), waivedBy: user.username };
  },
});
