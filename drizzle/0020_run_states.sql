-- The run and approval states are closed lists (lib/db/console-schema/run-tables.ts: MIGRATION_RUN_STATUSES,
-- PHASE_RUN_STATUSES, APPROVAL_STATUSES); the database refuses any other value, so a status the code no longer
-- knows cannot be written by a stale console or by hand. 'completed' is not a migration run status: phase 9
-- leaves the migration run active so that its rollback stays possible (docs/phases.md), and no code ever wrote it.
-- lib/db/run-states.test.ts keeps these lists equal to the code's.
ALTER TABLE "cutover"."migration_runs" ADD CONSTRAINT "migration_runs_status_check"
  CHECK ("status" IN ('active', 'rolled_back', 'abandoned'));
--> statement-breakpoint
ALTER TABLE "cutover"."phase_runs" ADD CONSTRAINT "phase_runs_status_check"
  CHECK ("status" IN ('awaiting-approval', 'pending', 'running', 'paused', 'succeeded', 'failed', 'rejected', 'aborted'));
--> statement-breakpoint
ALTER TABLE "cutover"."approvals" ADD CONSTRAINT "approvals_status_check"
  CHECK ("status" IN ('pending', 'approved', 'rejected', 'expired'));
