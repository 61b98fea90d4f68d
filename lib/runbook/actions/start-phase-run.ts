/**
 * "Run phase N" (and "Apply fix", "Start rollback"): validated, authorized and audited by the
 * action wrapper; the server checks the preconditions and that no other run is active under an
 * advisory lock, and the partial unique index on phase_runs is the backstop when two operators
 * click at the same moment. The runner then claims the pending run.
 */
import { ActionRefused, defineAction } from '../../auth/action';
import { hasAnyRole } from '../../auth/roles';
import { insertApproval } from '../../db/tables/approvals';
import { insertMigrationRun } from '../../db/tables/migration-runs';
import { insertPhaseRun, listPhaseAttempts } from '../../db/tables/phase-runs';
import { loadClock } from '../../market/clock';
import { computeApprovalBinding } from '../engine/approval-binding';
import { runbookConfigFromEnv } from '../engine/config';
import type { PhaseRegistry } from '../engine/phase-registry';
import { getActiveMigrationRun, getActivePhaseRun, getPhaseRun } from '../engine/run-state';
import type { PhaseDefinition } from '../engine/types';
import { PHASES } from '../phases';
import { abortWaitingRunForRollback } from './abort-phase-run';

const REQUEST_LOCK_KEY = 0x0d_c7_0003;

/**
 * The start action over a registry: its input schema, options, confirmation word and two-person
 * rule are the phases' own. The console's is over the runbook's phases (below); a test builds one
 * over a registry with a phase of its own.
 */
export function createStartPhaseRun(registry: PhaseRegistry<PhaseDefinition>) {
  return defineAction({
    name: 'runbook.start_phase',
    input: registry.startInput,
    roles: ['operator'],
    async run({ tx, input, user, database }) {
      const phase = registry.find(input.phase);
      if (!hasAnyRole(user.roles, phase.roles))
        throw new ActionRefused(`${registry.label(phase.id)} is started by ${phase.roles.join(' or ')} only.`);
      await tx`select pg_advisory_xact_lock(${REQUEST_LOCK_KEY})`;
      const config = runbookConfigFromEnv();
      const clock = await loadClock(database.sql);
      let active = await getActivePhaseRun(tx);
      // A rollback ends a phase 7 or 9 run that waits for the world, audited with this start (docs/phases.md "Abort").
      const supersededRunId =
        active && phase.id === 'rollback'
          ? await abortWaitingRunForRollback(tx, { active, user, clock, label: registry.label(active.phase) })
          : null;
      if (supersededRunId !== null) active = null;
      if (active) {
        throw new ActionRefused(
          `${registry.label(active.phase)} (run #${active.id}, requested by ${active.requestedBy}) is ${active.status}; one run at a time.` +
            (phase.id === 'rollback'
              ? ' Abort it first (a phase 7 or 9 run that is waiting is ended by the rollback itself).'
              : ''),
        );
      }
      let migration = await getActiveMigrationRun(tx);
      if (!migration && !phase.opensMigrationRun)
        throw new ActionRefused('No migration run is active: start with phase 1.');
      const checks = await phase.preconditions({ database, clock, config, migrationRunId: migration?.id ?? null });
      const failing = checks.filter((c) => !c.passed);
      if (failing.length > 0) {
        throw new ActionRefused(`Preconditions not met: ${failing.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
      }
      if (!migration) migration = await insertMigrationRun(tx, { startedBy: user.username });
      const attempts = await listPhaseAttempts(tx, { migrationRunId: migration.id, phase: phase.id });
      // The phase's declared options, checked by the input schema, with their defaults (phase 4: copy).
      const options: Record<string, unknown> = registry.optionsSchema(phase.id).parse(input);
      // What the phase adds to its run: phase 9's final proof, phase 4's resumed cursor.
      const additions =
        (await phase.onStart?.({ database, clock, config, migrationRunId: migration.id, attempts, options })) ?? {};
      Object.assign(options, additions.options);
      const checkpoint = additions.checkpoint ?? {};
      const needsApproval = registry.needsApproval(phase.id, options);
      // What the approver will approve: the SQL of this preview and the settings that shape the run.
      if (needsApproval) {
        const preview = await phase.preview({ database, clock, config, migrationRunId: migration.id, options });
        options.binding = computeApprovalBinding({ phaseId: phase.id, options, preview });
      }
      const runId = await insertPhaseRun(tx, {
        migrationRunId: migration.id,
        phase: phase.id,
        status: needsApproval ? 'awaiting-approval' : 'pending',
        options,
        requestedBy: user.username,
        attempt: attempts.length + 1,
        checkpoint,
      });
      if (needsApproval && phase.approval) {
        const summary = phase.approval.summary + (additions.approvalNote ?? '');
        await insertApproval(tx, {
          kind: phase.approval.kind,
          phaseRunId: runId,
          requestedBy: user.username,
          summary,
        });
      }
      const created = await getPhaseRun(tx, { id: runId });
      return {
        runId,
        phase: phase.id,
        status: created?.status ?? 'pending',
        migrationRunId: migration.id,
        attempt: attempts.length + 1,
        awaitingApproval: needsApproval,
        ...(supersededRunId === null ? {} : { abortedRunId: supersededRunId }),
      };
    },
  });
}

export const startPhaseRun = createStartPhaseRun(PHASES);
