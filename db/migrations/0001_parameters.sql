CREATE TABLE "parameter_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"name" text NOT NULL,
	"int_value" bigint,
	"text_value" text,
	"effective_from" timestamp with time zone NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"reason" text
);
--> statement-breakpoint
CREATE INDEX "parameter_changes_lookup" ON "parameter_changes" USING btree ("scope","name","effective_from");