ALTER TABLE "cutover"."rehearsal_workers" ADD COLUMN "ingestion" text DEFAULT 'together' NOT NULL;--> statement-breakpoint
ALTER TABLE "cutover"."rehearsal_workers" ADD COLUMN "revisions_per_hour" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cutover"."rehearsal_workers" ADD COLUMN "second_writer_minutes" integer;--> statement-breakpoint
ALTER TABLE "cutover"."rehearsal_workers" ADD COLUMN "second_writer_last_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cutover"."rehearsal_workers" ADD CONSTRAINT "rehearsal_workers_ingestion_check" CHECK ("ingestion" IN ('together', 'staggered'));--> statement-breakpoint
CREATE TABLE "cutover"."rehearsal_ingestion" (
	"symbol" text PRIMARY KEY NOT NULL,
	"next_minute" timestamp with time zone NOT NULL,
	"last_close" double precision NOT NULL,
	"lag_minutes" integer DEFAULT 0 NOT NULL,
	"held_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cutover"."rehearsal_revisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"ts_utc" timestamp with time zone NOT NULL,
	"old_close" double precision NOT NULL,
	"new_close" double precision NOT NULL,
	"revised_at" timestamp with time zone NOT NULL
);
