-- Pipeline signals (docs/operations.md "Pipeline signals"): one row per incident the runner's alert
-- evaluation saw (a stalled DXY 5m cursor, bridge lag, a failed phase run, a run stuck waiting).
-- An incident is open while its condition holds (at most one open per kind and subject) and is
-- alerted at most once, under a key naming its id: a condition that clears and comes back is a
-- new incident and a new alert; one that lasts is one alert however many ticks see it.
-- Times are the console clock's (rehearsal or wall), as every other time-based decision.
CREATE TABLE "cutover"."pipeline_incidents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"alerted_at" timestamp with time zone,
	"summary" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "pipeline_incidents_kind_check" CHECK ("kind" IN ('cursor-stalled', 'bridge-lag', 'phase-failed', 'run-waiting'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "pipeline_incidents_one_open" ON "cutover"."pipeline_incidents" USING btree ("kind", "subject") WHERE closed_at is null;
--> statement-breakpoint
CREATE INDEX "pipeline_incidents_recent" ON "cutover"."pipeline_incidents" USING btree ("opened_at");
--> statement-breakpoint
-- A failed run is one incident for good (opened and closed at once), however many runners see it.
CREATE UNIQUE INDEX "pipeline_incidents_one_per_failed_run" ON "cutover"."pipeline_incidents" USING btree ("subject") WHERE kind = 'phase-failed';
