CREATE TABLE "cutover"."monitor_snapshots" (
	"id" serial PRIMARY KEY NOT NULL,
	"migration_run_id" integer NOT NULL,
	"hour_index" integer NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"late" boolean NOT NULL,
	"verdict" text NOT NULL,
	"checks" jsonb NOT NULL,
	"alerted_at" timestamp with time zone,
	"waived_by" text,
	"waiver_reason" text
);
--> statement-breakpoint
ALTER TABLE "cutover"."monitor_snapshots" ADD CONSTRAINT "monitor_snapshots_migration_run_id_migration_runs_id_fk" FOREIGN KEY ("migration_run_id") REFERENCES "cutover"."migration_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "monitor_snapshots_hour" ON "cutover"."monitor_snapshots" USING btree ("migration_run_id","hour_start");