CREATE SCHEMA IF NOT EXISTS "cutover";
--> statement-breakpoint
CREATE TABLE "cutover"."audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" integer,
	"username" text,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"inputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "audit_events_outcome_check" CHECK ("cutover"."audit_events"."outcome" in ('ok','refused','invalid','failed'))
);
--> statement-breakpoint
CREATE TABLE "cutover"."login_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"ip" text NOT NULL,
	"succeeded" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cutover"."rehearsal_clock" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"anchor_wall" timestamp with time zone NOT NULL,
	"anchor_sim" timestamp with time zone NOT NULL,
	"speed" double precision NOT NULL,
	"heartbeat_wall" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cutover"."rehearsal_workers" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"mode" text NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"next_minute" timestamp with time zone NOT NULL,
	"last_tick_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cutover"."rehearsal_world" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"schema_variant" text NOT NULL,
	"days" integer NOT NULL,
	"history_from" timestamp with time zone NOT NULL,
	"history_to" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cutover"."sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "cutover"."users" (
	"id" serial PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"roles" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "cutover"."sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "cutover"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "cutover"."audit_events" USING btree ("at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "cutover"."audit_events" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "login_attempts_username_idx" ON "cutover"."login_attempts" USING btree ("username","at");--> statement-breakpoint
CREATE INDEX "login_attempts_ip_idx" ON "cutover"."login_attempts" USING btree ("ip","at");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "cutover"."sessions" USING btree ("user_id");