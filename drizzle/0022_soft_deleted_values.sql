-- The values each legacy row had when phase 9 soft-deleted it, written by the soft-delete batch itself
-- (lib/runbook/phases/9-soft-delete/soft-delete-statements.ts). The rollback's restore batch proves, before it
-- commits, that every row it brings back is active again with exactly these values (docs/phases.md "Rollback").
-- Null for rows recorded before this migration: those are checked by key only.
ALTER TABLE "cutover"."soft_deleted_rows"
  ADD COLUMN "open" double precision,
  ADD COLUMN "high" double precision,
  ADD COLUMN "low" double precision,
  ADD COLUMN "close" double precision;
