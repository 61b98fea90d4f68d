-- Pacing of the batched phases (docs/operations.md "Pacing"): the copy, the normalization, the
-- soft-delete and the rollback's restore/back-fill wait between batches while the database says it is
-- busy. The live limits are one row an operator changes while a phase runs (lib/runbook/actions/
-- set-pacing.ts, audited); the CHECKs repeat the action's ranges so no other writer stores a limit the
-- runner would misread. batch_rows null: each phase's own setting (CUTOVER_COPY_BATCH_ROWS, …).
CREATE TABLE "cutover"."pacing_limits" (
  "only_row" boolean PRIMARY KEY DEFAULT true CHECK ("only_row"),
  "batch_rows" integer CHECK ("batch_rows" BETWEEN 1 AND 1000000),
  "pace_ms" integer NOT NULL DEFAULT 0 CHECK ("pace_ms" BETWEEN 0 AND 600000),
  "max_lock_wait_ms" integer NOT NULL DEFAULT 500 CHECK ("max_lock_wait_ms" BETWEEN 0 AND 600000),
  "max_replica_lag_s" integer NOT NULL DEFAULT 5 CHECK ("max_replica_lag_s" BETWEEN 0 AND 3600),
  "checkpoint_pause_s" integer NOT NULL DEFAULT 10 CHECK ("checkpoint_pause_s" BETWEEN 0 AND 600),
  "max_wal_mb_per_s" integer NOT NULL DEFAULT 64 CHECK ("max_wal_mb_per_s" BETWEEN 1 AND 100000),
  "max_worker_ms" integer NOT NULL DEFAULT 20000 CHECK ("max_worker_ms" BETWEEN 100 AND 600000),
  "updated_at" timestamptz,
  "updated_by" text
);
--> statement-breakpoint
INSERT INTO "cutover"."pacing_limits" ("only_row") VALUES (true);
--> statement-breakpoint
-- One row per phase run that paces: when its last batch started (the pace), since when it waits and
-- why (the phase page's "paused 12 s: …"), a hold a checkpoint asked for, and the last reading of the
-- cumulative counters (WAL position, requested checkpoints) the rates are computed from. In the
-- database, not in a process: a console that takes the run over keeps pacing it the same way.
CREATE TABLE "cutover"."pacing_state" (
  "phase_run_id" bigint PRIMARY KEY REFERENCES "cutover"."phase_runs" ("id") ON DELETE CASCADE,
  "last_batch_at" timestamptz,
  "waiting_since" timestamptz,
  "waiting_reason" text,
  "hold_until" timestamptz,
  "hold_reason" text,
  "sample" jsonb
);
