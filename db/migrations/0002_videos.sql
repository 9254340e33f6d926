CREATE TABLE "stripe_anomalies" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"topup_id" text,
	"merchant_id" text,
	"detail" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"object_id" text,
	"outcome" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topup_reversals" (
	"id" text PRIMARY KEY NOT NULL,
	"topup_id" text NOT NULL,
	"source" text NOT NULL,
	"money_fen" bigint NOT NULL,
	"ad_points_due" bigint NOT NULL,
	"ad_points_taken" bigint NOT NULL,
	"ad_points_unrecovered" bigint NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topups" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"amount_fen" bigint NOT NULL,
	"ad_points" bigint NOT NULL,
	"ad_point_price_fen" bigint NOT NULL,
	"checkout_session_id" text NOT NULL,
	"checkout_url" text,
	"payment_intent_id" text,
	"charge_id" text,
	"payment_method" text,
	"receipt_number" text,
	"paid_at" timestamp with time zone,
	"credit_event_id" text,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"disputed_fen" bigint DEFAULT 0 NOT NULL,
	"ad_points_reversed" bigint DEFAULT 0 NOT NULL,
	"ad_points_unrecovered" bigint DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "topups_checkout_session_id_unique" UNIQUE("checkout_session_id"),
	CONSTRAINT "topups_receipt_number_unique" UNIQUE("receipt_number")
);
--> statement-breakpoint
CREATE TABLE "ad_view_refusals" (
	"id" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"stage" text NOT NULL,
	"consumer_id" text,
	"view_id" text,
	"client_address" text,
	"details" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ad_views" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"business_date" date NOT NULL,
	"token_hash" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"client_address" text,
	"status" text DEFAULT 'started' NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"last_report_at" timestamp with time zone NOT NULL,
	"last_visible" boolean DEFAULT true NOT NULL,
	"credited_ms" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "admob_rewards" (
	"transaction_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"ad_unit" text,
	"reward_item" text,
	"reward_amount" integer,
	"key_id" text NOT NULL,
	"outcome" text NOT NULL,
	"query" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_daily_counters" (
	"campaign_id" text NOT NULL,
	"business_date" date NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "campaign_daily_counters_campaign_id_business_date_pk" PRIMARY KEY("campaign_id","business_date")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"advertiser" text,
	"media_url" text NOT NULL,
	"duration_seconds" integer NOT NULL,
	"price_per_completion_fen" bigint NOT NULL,
	"budget_fen" bigint NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"daily_cap" integer,
	"status" text DEFAULT 'active' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "campaigns_positive" CHECK ("campaigns"."duration_seconds" > 0 and "campaigns"."price_per_completion_fen" > 0 and "campaigns"."budget_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "video_completions" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"business_date" date NOT NULL,
	"source" text NOT NULL,
	"view_id" text,
	"admob_transaction_id" text,
	"campaign_id" text,
	"slot" integer NOT NULL,
	"charged_fen" bigint DEFAULT 0 NOT NULL,
	"converted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "video_completions_view_id_unique" UNIQUE("view_id"),
	CONSTRAINT "video_completions_admob_transaction_id_unique" UNIQUE("admob_transaction_id")
);
--> statement-breakpoint
CREATE TABLE "video_daily_counters" (
	"consumer_id" text NOT NULL,
	"business_date" date NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"conversions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "video_daily_counters_consumer_id_business_date_pk" PRIMARY KEY("consumer_id","business_date"),
	CONSTRAINT "video_daily_counters_nonneg" CHECK ("video_daily_counters"."completed" >= 0)
);
--> statement-breakpoint
ALTER TABLE "topup_reversals" ADD CONSTRAINT "topup_reversals_topup_id_topups_id_fk" FOREIGN KEY ("topup_id") REFERENCES "public"."topups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topups" ADD CONSTRAINT "topups_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ad_views" ADD CONSTRAINT "ad_views_consumer_id_users_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ad_views" ADD CONSTRAINT "ad_views_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_anomalies_created_idx" ON "stripe_anomalies" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "stripe_events_object_idx" ON "stripe_events" USING btree ("object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "topup_reversals_source_idx" ON "topup_reversals" USING btree ("topup_id","source");--> statement-breakpoint
CREATE INDEX "topups_merchant_idx" ON "topups" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "topups_payment_intent_idx" ON "topups" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "ad_view_refusals_created" ON "ad_view_refusals" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ad_view_refusals_reason" ON "ad_view_refusals" USING btree ("reason");--> statement-breakpoint
CREATE UNIQUE INDEX "ad_views_consumer_campaign_day" ON "ad_views" USING btree ("consumer_id","campaign_id","business_date");--> statement-breakpoint
CREATE INDEX "ad_views_consumer_day" ON "ad_views" USING btree ("consumer_id","business_date");--> statement-breakpoint
CREATE INDEX "video_completions_campaign_day" ON "video_completions" USING btree ("campaign_id","business_date");--> statement-breakpoint
CREATE UNIQUE INDEX "video_completions_consumer_slot" ON "video_completions" USING btree ("consumer_id","business_date","slot");