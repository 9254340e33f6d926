CREATE TABLE "merchant_payout_accounts" (
	"merchant_id" text PRIMARY KEY NOT NULL,
	"stripe_account_id" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merchant_payout_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"paid_via" text,
	"stripe_transfer_id" text,
	"reference" text,
	"paid_by" text,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchant_payout_batches_amount_positive" CHECK ("merchant_payout_batches"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "merchant_payout_items" (
	"id" text PRIMARY KEY NOT NULL,
	"batch_id" text NOT NULL,
	"kind" text NOT NULL,
	"source_id" text NOT NULL,
	"order_id" text NOT NULL,
	"amount_fen" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "merchant_payout_accounts" ADD CONSTRAINT "merchant_payout_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_payout_batches" ADD CONSTRAINT "merchant_payout_batches_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_payout_items" ADD CONSTRAINT "merchant_payout_items_batch_id_merchant_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."merchant_payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "merchant_payout_batches_merchant_period" ON "merchant_payout_batches" USING btree ("merchant_id","period_end");--> statement-breakpoint
CREATE INDEX "merchant_payout_batches_status_idx" ON "merchant_payout_batches" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "merchant_payout_items_event_once" ON "merchant_payout_items" USING btree ("kind","source_id");--> statement-breakpoint
CREATE INDEX "merchant_payout_items_batch_idx" ON "merchant_payout_items" USING btree ("batch_id");