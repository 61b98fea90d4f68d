-- Why an API token was revoked, so the holder's next call can be told (docs/architecture.md "Security"):
-- 'by-hand' (its owner or an admin on the Tokens page), 'password-changed' (the owner changed their
-- password), 'user-disabled' (an admin disabled the owner). Rows revoked before this column existed
-- keep null and read as revoked by hand.
ALTER TABLE "cutover"."api_tokens" ADD COLUMN "revoked_reason" text;--> statement-breakpoint
ALTER TABLE "cutover"."api_tokens" ADD CONSTRAINT "api_tokens_revoked_reason_check"
  CHECK ("revoked_reason" IS NULL OR ("revoked_at" IS NOT NULL AND "revoked_reason" IN ('by-hand', 'password-changed', 'user-disabled')));
