CREATE TABLE "cutover"."validation_overrides" (
	"id" serial PRIMARY KEY NOT NULL,
	"overridden_by" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"validation_id" integer
);
--> statement-breakpoint
CREATE TABLE "cutover"."validations" (
	"id" serial PRIMARY KEY NOT NULL,
	"requested_by" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"verdict" text NOT NULL,
	"items" jsonb NOT NULL,
	"database_identity" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cutover"."validation_overrides" ADD CONSTRAINT "validation_overrides_validation_id_validations_id_fk" FOREIGN KEY ("validation_id") REFERENCES "cutover"."validations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "validation_overrides_created_idx" ON "cutover"."validation_overrides" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "validations_finished_idx" ON "cutover"."validations" USING btree ("finished_at");