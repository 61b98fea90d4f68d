CREATE TABLE "cutover"."approvals" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"phase_run_id" bigint NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"summary" text NOT NULL,
	"status" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "cutover"."backups" (
	"id" serial PRIMARY KEY NOT NULL,
	"migration_run_id" integer NOT NULL,
	"phase_run_id" bigint NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"tables" jsonb NOT NULL,
	"functions" jsonb NOT NULL,
	"constraints" jsonb NOT NULL,
	"registry_row" jsonb,
	"agg_state" jsonb NOT NULL,
	"verified" boolean NOT NULL,
	"dump_file" text,
	"dump_note" text
);
--> statement-breakpoint
CREATE TABLE "cutover"."migration_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cutover"."phase_run_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"phase_run_id" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cutover"."phase_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"migration_run_id" integer NOT NULL,
	"phase" text NOT NULL,
	"status" text NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"clock_started_at" timestamp with time zone,
	"clock_finished_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"pause_requested" boolean DEFAULT false NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"checkpoint" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"result" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"verification" jsonb,
	"error" text,
	"ops_runlog_id" bigint
);
--> statement-breakpoint
CREATE TABLE "cutover"."soft_deleted_rows" (
	"migration_run_id" integer NOT NULL,
	"derived_id" bigint NOT NULL,
	"ts_utc" timestamp with time zone NOT NULL,
	"restored_at" timestamp with time zone,
	CONSTRAINT "soft_deleted_rows_migration_run_id_derived_id_pk" PRIMARY KEY("migration_run_id","derived_id")
);
--> statement-breakpoint
ALTER TABLE "cutover"."backups" ADD CONSTRAINT "backups_migration_run_id_migration_runs_id_fk" FOREIGN KEY ("migration_run_id") REFERENCES "cutover"."migration_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cutover"."phase_run_events" ADD CONSTRAINT "phase_run_events_phase_run_id_phase_runs_id_fk" FOREIGN KEY ("phase_run_id") REFERENCES "cutover"."phase_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cutover"."phase_runs" ADD CONSTRAINT "phase_runs_migration_run_id_migration_runs_id_fk" FOREIGN KEY ("migration_run_id") REFERENCES "cutover"."migration_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_one_per_run" ON "cutover"."approvals" USING btree ("phase_run_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "migration_runs_one_active" ON "cutover"."migration_runs" USING btree ("status") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "phase_run_events_run_idx" ON "cutover"."phase_run_events" USING btree ("phase_run_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "phase_runs_one_active" ON "cutover"."phase_runs" USING btree ("migration_run_id") WHERE status in ('awaiting-approval', 'pending', 'running', 'paused');--> statement-breakpoint
CREATE INDEX "phase_runs_run_phase_idx" ON "cutover"."phase_runs" USING btree ("migration_run_id","phase","id");