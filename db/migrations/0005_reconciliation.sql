CREATE TABLE "reconciliation_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "reconciliation_reports_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"business_date" text NOT NULL,
	"kind" text NOT NULL,
	"ok" boolean NOT NULL,
	"report" jsonb NOT NULL,
	"requested_by" text,
	"generated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "reconciliation_reports_date_idx" ON "reconciliation_reports" USING btree ("business_date","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_reports_nightly_once" ON "reconciliation_reports" USING btree ("business_date") WHERE "reconciliation_reports"."kind" = 'nightly';--> statement-breakpoint
CREATE INDEX "ledger_transfers_created_idx" ON "ledger_transfers" USING btree ("created_at");