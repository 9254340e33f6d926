ALTER TABLE "payout_accounts" ADD COLUMN "created_via" text DEFAULT 'operator' NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_accounts" ADD COLUMN "details_submitted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_accounts" ADD COLUMN "payouts_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_accounts" ADD COLUMN "status_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "payout_accounts_stripe_account_once" ON "payout_accounts" USING btree ("stripe_account_id");