-- An hour's snapshot is provisional while late component data can still arrive, re-evaluated on later
-- ticks, and settled (final) once the data frontier has passed the hour or the maximum settle time has elapsed.
-- Snapshots taken before this change were final when taken: they are settled at their taken_at.
ALTER TABLE "cutover"."monitor_snapshots" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cutover"."monitor_snapshots" ADD COLUMN "evaluations" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "cutover"."monitor_snapshots" ADD COLUMN "evaluated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cutover"."monitor_snapshots" ADD COLUMN "data_through" timestamp with time zone;--> statement-breakpoint
UPDATE "cutover"."monitor_snapshots" SET "settled_at" = "taken_at", "evaluated_at" = "taken_at";
