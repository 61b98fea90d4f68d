-- Issue 20, deliverable 3 (docs/operations.md "The audit log"): the chain is keyed. The hash is an HMAC computed in
-- Node with a key the database does not hold (lib/auth/audit-append.ts), so the unkeyed hashing trigger and its
-- function go: a database function the owner could replace no longer takes part in writing or verifying the chain.
-- The append-only triggers (no UPDATE, DELETE, TRUNCATE) stay. Rows hashed by 0005's trigger keep their hashes,
-- untouched; the first append with the key seals them (lib/auth/audit-seal.ts).
DROP TRIGGER IF EXISTS "audit_events_chain" ON "cutover"."audit_events";--> statement-breakpoint
DROP FUNCTION IF EXISTS "cutover"."audit_events_chain"();--> statement-breakpoint
DROP FUNCTION IF EXISTS "cutover"."audit_row_hash"(text, bigint, timestamptz, integer, text, text, text, jsonb, jsonb);--> statement-breakpoint
-- A writer that goes around lib/auth/audit-append.ts (an older console during an upgrade) is refused rather than
-- leaving a row outside the chain. NOT VALID: checked for every new row; every existing row is chained already.
ALTER TABLE "cutover"."audit_events" ADD CONSTRAINT "audit_events_chained_check"
  CHECK ("chain_position" IS NOT NULL AND "row_hash" IS NOT NULL) NOT VALID;
