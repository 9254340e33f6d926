ALTER TABLE "stripe_anomalies" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stripe_anomalies" ADD COLUMN "resolved_by" text;--> statement-breakpoint
ALTER TABLE "stripe_anomalies" ADD COLUMN "resolution_note" text;--> statement-breakpoint
ALTER TABLE "stripe_anomalies" ADD COLUMN "refund_id" text;--> statement-breakpoint
CREATE INDEX "stripe_anomalies_open_idx" ON "stripe_anomalies" USING btree ("created_at") WHERE "stripe_anomalies"."resolved_at" is null;