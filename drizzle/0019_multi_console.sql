-- More than one console on one database (docs/operations.md "More than one console"): every process that
-- appends to the audit chain must hash with the same key, or the chain breaks where a second key starts.
-- The key's non-secret id (lib/auth/audit-key.ts auditKeyId: an HMAC of a fixed text, not the key) is
-- recorded here by the first keyed append, and every later append with another key is refused, naming
-- both ids (lib/auth/audit-chain-key.ts). The database owner can edit this row: it guards against a
-- misconfigured console, not against the owner (whom the key itself guards against). One row at most.
CREATE TABLE "cutover"."audit_chain_key" (
  "only_row" boolean PRIMARY KEY DEFAULT true CHECK ("only_row"),
  "key_id" text NOT NULL CHECK ("key_id" ~ '^[0-9a-f]{12}$'),
  "recorded_at" timestamptz NOT NULL DEFAULT now()
);
