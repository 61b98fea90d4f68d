-- Separation of duties (docs/architecture.md "Security", docs/operations.md "Break-glass").
-- 1. Every account's provenance: who created it, changed its roles, disabled or enabled it, when, and how
--    (a console session, an invitation, break-glass with its OS users). Written by a trigger on cutover.users,
--    so no writer can forget it; the writer names itself in the transaction-local setting cutover.account_actor.
CREATE TABLE "cutover"."account_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL REFERENCES "cutover"."users"("id"),
	"change" text NOT NULL,
	"roles_before" text[],
	"roles_after" text[] NOT NULL,
	"changed_by_user_id" integer REFERENCES "cutover"."users"("id"),
	"changed_by" text,
	"session_id" text,
	"via" text NOT NULL,
	"os_user" text,
	"host" text,
	"confirmed_by_os_user" text,
	"invitation_id" integer,
	"break_glass_change_id" integer,
	"at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "account_changes_change_check" CHECK ("change" in ('created','roles','disabled','enabled')),
	CONSTRAINT "account_changes_via_check" CHECK ("via" in ('console','invitation','break-glass','first-admin','unrecorded'))
);--> statement-breakpoint
CREATE INDEX "account_changes_user_idx" ON "cutover"."account_changes" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "account_changes_by_idx" ON "cutover"."account_changes" USING btree ("changed_by_user_id","at");--> statement-breakpoint
CREATE OR REPLACE FUNCTION "cutover"."users_record_account_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_actor jsonb := nullif(current_setting('cutover.account_actor', true), '')::jsonb;
  v_change text;
  v_invitation record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_change := 'created';
  ELSIF NEW.roles IS DISTINCT FROM OLD.roles THEN
    v_change := 'roles';
  ELSIF OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL THEN
    v_change := 'disabled';
  ELSIF OLD.disabled_at IS NOT NULL AND NEW.disabled_at IS NULL THEN
    v_change := 'enabled';
  ELSE
    RETURN NULL;
  END IF;
  IF v_actor IS NULL AND TG_OP = 'INSERT' THEN
    -- An accepted invitation creates its user without a signed-in actor: the admin who invited is the creator.
    SELECT i.id, i.created_by, u.username INTO v_invitation
      FROM cutover.user_invitations i JOIN cutover.users u ON u.id = i.created_by
     WHERE i.username = NEW.username AND i.accepted_at IS NOT NULL
     ORDER BY i.accepted_at DESC LIMIT 1;
    IF FOUND THEN
      v_actor := jsonb_build_object('via', 'invitation', 'userId', v_invitation.created_by,
                                    'username', v_invitation.username, 'invitationId', v_invitation.id);
    END IF;
  END IF;
  v_actor := coalesce(v_actor, '{"via":"unrecorded"}'::jsonb);
  INSERT INTO cutover.account_changes (user_id, change, roles_before, roles_after, changed_by_user_id, changed_by,
                                       session_id, via, os_user, host, confirmed_by_os_user, invitation_id,
                                       break_glass_change_id)
  VALUES (NEW.id, v_change, CASE WHEN TG_OP = 'UPDATE' THEN OLD.roles END, NEW.roles,
          (v_actor->>'userId')::integer, v_actor->>'username', v_actor->>'sessionId', v_actor->>'via',
          v_actor->>'osUser', v_actor->>'host', v_actor->>'confirmedByOsUser', (v_actor->>'invitationId')::integer,
          (v_actor->>'breakGlassChangeId')::integer);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "users_record_account_change" AFTER INSERT OR UPDATE OF "roles", "disabled_at" ON "cutover"."users"
  FOR EACH ROW EXECUTE FUNCTION "cutover"."users_record_account_change"();--> statement-breakpoint
-- Accounts that existed before provenance was recorded: their creation, by the invitation when there was one.
INSERT INTO "cutover"."account_changes" (user_id, change, roles_after, changed_by_user_id, changed_by, via, invitation_id, at)
SELECT u.id, 'created', u.roles, i.created_by, c.username, CASE WHEN i.id IS NULL THEN 'unrecorded' ELSE 'invitation' END,
       i.id, u.created_at
  FROM "cutover"."users" u
  LEFT JOIN LATERAL (SELECT id, created_by FROM "cutover"."user_invitations"
                      WHERE username = u.username AND accepted_at IS NOT NULL
                      ORDER BY accepted_at DESC LIMIT 1) i ON true
  LEFT JOIN "cutover"."users" c ON c.id = i.created_by;--> statement-breakpoint
-- 2. Break-glass changes asked during an active migration run wait for a second OS user's confirmation.
CREATE TABLE "cutover"."break_glass_changes" (
	"id" serial PRIMARY KEY NOT NULL,
	"command" text NOT NULL,
	"username" text NOT NULL,
	"roles" text[] DEFAULT '{}' NOT NULL,
	"password_hash" text,
	"reason" text NOT NULL,
	"first_admin" boolean DEFAULT false NOT NULL,
	"migration_run_id" integer NOT NULL REFERENCES "cutover"."migration_runs"("id"),
	"requested_os_user" text NOT NULL,
	"requested_host" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_os_user" text,
	"decided_host" text,
	"decided_at" timestamp with time zone,
	"outcome" text,
	CONSTRAINT "break_glass_changes_command_check" CHECK ("command" in ('add','roles','disable')),
	CONSTRAINT "break_glass_changes_status_check" CHECK ("status" in ('pending','confirmed','expired','failed'))
);--> statement-breakpoint
-- 3. Approvals: the origin of both accounts is recorded with the request and the decision; abandon requests are
--    a new row each time (one pending at a time), every other kind stays one per run.
ALTER TABLE "cutover"."approvals" ADD COLUMN "requester_account" jsonb;--> statement-breakpoint
ALTER TABLE "cutover"."approvals" ADD COLUMN "decider_account" jsonb;--> statement-breakpoint
DROP INDEX "cutover"."approvals_one_per_run";--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_one_per_run" ON "cutover"."approvals" USING btree ("phase_run_id","kind") WHERE kind <> 'abandon';--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_one_pending_abandon" ON "cutover"."approvals" USING btree ("phase_run_id") WHERE kind = 'abandon' and status = 'pending';
