ALTER TABLE "cutover"."audit_events" ADD COLUMN "chain_position" bigint;--> statement-breakpoint
ALTER TABLE "cutover"."audit_events" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "cutover"."audit_events" ADD COLUMN "row_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_chain_position_idx" ON "cutover"."audit_events" USING btree ("chain_position");--> statement-breakpoint
-- The hash of one audit row over its content and the previous row's hash. Times as epoch
-- microseconds and jsonb in its canonical text form, so no session setting changes the hash.
CREATE OR REPLACE FUNCTION "cutover"."audit_row_hash"(
  p_prev text, p_id bigint, p_at timestamptz, p_user_id integer, p_username text,
  p_action text, p_outcome text, p_inputs jsonb, p_detail jsonb
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\x1f',
    coalesce(p_prev, ''), p_id::text, ((extract(epoch FROM p_at) * 1000000)::bigint)::text,
    coalesce(p_user_id::text, ''), coalesce(p_username, ''), p_action, p_outcome,
    p_inputs::text, p_detail::text), 'UTF8')), 'hex')
$$;--> statement-breakpoint
-- Every insert joins the chain under a transaction-scoped lock, so two writers cannot fork it.
CREATE OR REPLACE FUNCTION "cutover"."audit_events_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_position bigint;
  v_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(231145477);
  SELECT chain_position, row_hash INTO v_position, v_hash
    FROM cutover.audit_events WHERE chain_position IS NOT NULL
   ORDER BY chain_position DESC LIMIT 1;
  NEW.chain_position := coalesce(v_position, 0) + 1;
  NEW.prev_hash := v_hash;
  NEW.row_hash := cutover.audit_row_hash(NEW.prev_hash, NEW.id, NEW.at, NEW.user_id, NEW.username,
                                         NEW.action, NEW.outcome, NEW.inputs, NEW.detail);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "cutover"."audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'cutover.audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
-- Rows written before the chain existed join it in id order.
DO $$
DECLARE
  r record;
  v_prev text := NULL;
  v_position bigint := 0;
BEGIN
  FOR r IN SELECT * FROM cutover.audit_events ORDER BY id LOOP
    v_position := v_position + 1;
    UPDATE cutover.audit_events
       SET chain_position = v_position, prev_hash = v_prev,
           row_hash = cutover.audit_row_hash(v_prev, r.id, r.at, r.user_id, r.username, r.action, r.outcome, r.inputs, r.detail)
     WHERE id = r.id
     RETURNING row_hash INTO v_prev;
  END LOOP;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_chain" BEFORE INSERT ON "cutover"."audit_events"
  FOR EACH ROW EXECUTE FUNCTION "cutover"."audit_events_chain"();--> statement-breakpoint
CREATE TRIGGER "audit_events_no_update_or_delete" BEFORE UPDATE OR DELETE ON "cutover"."audit_events"
  FOR EACH ROW EXECUTE FUNCTION "cutover"."audit_events_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "cutover"."audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "cutover"."audit_events_append_only"();
