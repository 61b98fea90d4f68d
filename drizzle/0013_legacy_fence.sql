-- Writes of active legacy DXY 1m rows that phase 9's fence refused (lib/runbook/legacy-fence*.ts,
-- docs/phases.md "The fence on legacy writes"). Only the fence's trigger function writes here.
CREATE TABLE "cutover"."legacy_fence_refusals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"refused_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"writer_role" text NOT NULL,
	"session_role" text NOT NULL,
	"application_name" text,
	"client_addr" inet,
	"op" text NOT NULL,
	"ts_utc" timestamp with time zone NOT NULL,
	"source" text
);
--> statement-breakpoint
CREATE INDEX "legacy_fence_refusals_refused_idx" ON "cutover"."legacy_fence_refusals" USING btree ("refused_at");
