-- Issue 20, deliverable 1 (docs/operations.md "The audit log"): nothing unauthenticated writes more than a bounded row.
-- The sign-in throttle becomes the throttle of named buckets: sign-in, failed bearer tokens, refused calls' audit rows.
ALTER TABLE "cutover"."sign_in_throttle" ADD COLUMN "bucket" text DEFAULT 'sign-in' NOT NULL;--> statement-breakpoint
ALTER TABLE "cutover"."sign_in_throttle" DROP CONSTRAINT "sign_in_throttle_username_address_pk";--> statement-breakpoint
ALTER TABLE "cutover"."sign_in_throttle" ADD CONSTRAINT "sign_in_throttle_bucket_username_address_pk" PRIMARY KEY("bucket","username","address");--> statement-breakpoint
-- Every audit row is at most 16 KiB of text (username, action, inputs and detail as jsonb prints them); the console
-- enforces the same cap before it inserts (lib/auth/audit-row-cap.ts). NOT VALID: rows written before the cap stay
-- as they are (the table is append-only), every new row is checked.
ALTER TABLE "cutover"."audit_events" ADD CONSTRAINT "audit_events_row_bytes_check" CHECK (
  octet_length(coalesce("username", '')) + octet_length("action") + octet_length("inputs"::text) + octet_length("detail"::text) <= 16384
) NOT VALID;
