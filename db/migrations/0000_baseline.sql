CREATE TABLE "generated_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer,
	"body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "otp_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"phone" text NOT NULL,
	"code_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"consumed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limit_counters" (
	"bucket" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "rate_limit_counters_bucket_window_start_pk" PRIMARY KEY("bucket","window_start")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"phone" text NOT NULL,
	"member_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_phone_unique" UNIQUE("phone"),
	CONSTRAINT "users_member_code_unique" UNIQUE("member_code")
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_accounts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ledger" text NOT NULL,
	"owner_type" text NOT NULL,
	"owner_id" text NOT NULL,
	"code" text NOT NULL,
	"shard" smallint DEFAULT 0 NOT NULL,
	"debits_must_not_exceed_credits" boolean DEFAULT false NOT NULL,
	"credits_must_not_exceed_debits" boolean DEFAULT false NOT NULL,
	"debits_pending" bigint DEFAULT 0 NOT NULL,
	"debits_posted" bigint DEFAULT 0 NOT NULL,
	"credits_pending" bigint DEFAULT 0 NOT NULL,
	"credits_posted" bigint DEFAULT 0 NOT NULL,
	"head_hash" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_debits_within_credits" CHECK (not "ledger_accounts"."debits_must_not_exceed_credits" or "ledger_accounts"."debits_posted" + "ledger_accounts"."debits_pending" <= "ledger_accounts"."credits_posted"),
	CONSTRAINT "ledger_accounts_credits_within_debits" CHECK (not "ledger_accounts"."credits_must_not_exceed_debits" or "ledger_accounts"."credits_posted" + "ledger_accounts"."credits_pending" <= "ledger_accounts"."debits_posted"),
	CONSTRAINT "ledger_accounts_non_negative" CHECK ("ledger_accounts"."debits_pending" >= 0 and "ledger_accounts"."debits_posted" >= 0 and "ledger_accounts"."credits_pending" >= 0 and "ledger_accounts"."credits_posted" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_transactions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_transactions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"contents_hash" text NOT NULL,
	"contents" jsonb NOT NULL,
	"meta" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_transactions_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "ledger_transfers" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_transfers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transaction_id" bigint NOT NULL,
	"ledger" text NOT NULL,
	"debit_account_id" bigint NOT NULL,
	"credit_account_id" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"type" text NOT NULL,
	"pending_id" bigint,
	"timeout_at" timestamp with time zone,
	"debit_balance_after" bigint NOT NULL,
	"credit_balance_after" bigint NOT NULL,
	"debit_prev_hash" text NOT NULL,
	"credit_prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_transfers_amount_positive" CHECK ("ledger_transfers"."amount" > 0),
	CONSTRAINT "ledger_transfers_distinct_accounts" CHECK ("ledger_transfers"."debit_account_id" <> "ledger_transfers"."credit_account_id")
);
--> statement-breakpoint
CREATE TABLE "organisation_members" (
	"organisation_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisation_members_organisation_id_user_id_pk" PRIMARY KEY("organisation_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"category" text,
	"address" text,
	"contact" text,
	"rejection_reason" text,
	"owner_user_id" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_kind_prefix" CHECK (("organisations"."kind" = 'merchant' and "organisations"."id" like 'mer\_%') or ("organisations"."kind" = 'supplier' and "organisations"."id" like 'sup\_%')),
	CONSTRAINT "organisations_category_merchant_only" CHECK ("organisations"."kind" = 'merchant' or "organisations"."category" is null)
);
--> statement-breakpoint
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
	"money_returned_fen" bigint DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "topups_checkout_session_id_unique" UNIQUE("checkout_session_id"),
	CONSTRAINT "topups_receipt_number_unique" UNIQUE("receipt_number")
);
--> statement-breakpoint
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
CREATE TABLE "listings" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"title" text NOT NULL,
	"price_fen" bigint NOT NULL,
	"stock" integer DEFAULT 0 NOT NULL,
	"image_url" text,
	"ships" boolean DEFAULT true NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"supplier_product_id" text,
	"supplier_id" text,
	"wholesale_price_fen" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "listings_price_positive" CHECK ("listings"."price_fen" > 0),
	CONSTRAINT "listings_stock_non_negative" CHECK ("listings"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "order_items" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"listing_id" text NOT NULL,
	"title" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_fen" bigint NOT NULL,
	"ships" boolean NOT NULL,
	"supplier_product_id" text,
	"supplier_id" text,
	"wholesale_price_fen" bigint,
	CONSTRAINT "order_items_quantity_positive" CHECK ("order_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"consumer_user_id" text NOT NULL,
	"status" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"ship_to" jsonb,
	"checkout_session_id" text,
	"checkout_url" text,
	"payment_intent_id" text,
	"sale_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "orders_amount_positive" CHECK ("orders"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"sale_id" text NOT NULL,
	"order_id" text,
	"amount_fen" bigint NOT NULL,
	"vouchers_due_back" bigint NOT NULL,
	"vouchers_clawed_back" bigint NOT NULL,
	"ad_points_returned" bigint NOT NULL,
	"stripe_refund_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "sales" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"merchant_id" text NOT NULL,
	"consumer_user_id" text NOT NULL,
	"recorded_by" text,
	"order_id" text,
	"amount_fen" bigint NOT NULL,
	"voucher_rate_per_yuan" integer NOT NULL,
	"ad_rate_bp" integer NOT NULL,
	"vouchers" bigint NOT NULL,
	"ad_points_charge" bigint NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"vouchers_issued" bigint DEFAULT 0 NOT NULL,
	"ad_points_charged" bigint DEFAULT 0 NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"vouchers_due_back" bigint DEFAULT 0 NOT NULL,
	"vouchers_clawed_back" bigint DEFAULT 0 NOT NULL,
	"ad_points_returned" bigint DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"recorded_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "sales_amount_positive" CHECK ("sales"."amount_fen" > 0),
	CONSTRAINT "sales_refund_within_amount" CHECK ("sales"."refunded_fen" between 0 and "sales"."amount_fen"),
	CONSTRAINT "sales_clawback_within_issued" CHECK ("sales"."vouchers_clawed_back" between 0 and "sales"."vouchers_issued")
);
--> statement-breakpoint
CREATE TABLE "fulfillment_items" (
	"id" text PRIMARY KEY NOT NULL,
	"fulfillment_id" text NOT NULL,
	"order_item_id" text,
	"listing_id" text,
	"supplier_product_id" text NOT NULL,
	"title" text NOT NULL,
	"quantity" integer NOT NULL,
	"wholesale_price_fen" bigint NOT NULL,
	"unit_price_fen" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fulfillment_returns" (
	"id" text PRIMARY KEY NOT NULL,
	"fulfillment_id" text NOT NULL,
	"reason" text,
	"reversed_fen" bigint NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fulfillment_returns_fulfillment_id_unique" UNIQUE("fulfillment_id")
);
--> statement-breakpoint
CREATE TABLE "fulfillments" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"supplier_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"consumer_user_id" text NOT NULL,
	"status" text DEFAULT 'to_ship' NOT NULL,
	"ship_to" jsonb,
	"settlement_trigger" text NOT NULL,
	"wholesale_cost_fen" bigint NOT NULL,
	"carrier" text,
	"tracking_number" text,
	"shipped_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"settled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payout_accounts" (
	"organisation_id" text PRIMARY KEY NOT NULL,
	"stripe_account_id" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payout_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"paid_via" text,
	"stripe_transfer_id" text,
	"reference" text,
	"paid_by" text,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_batches_amount_positive" CHECK ("payout_batches"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "payout_items" (
	"id" text PRIMARY KEY NOT NULL,
	"batch_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"kind" text NOT NULL,
	"source_id" text NOT NULL,
	"order_id" text NOT NULL,
	"amount_fen" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supplier_products" (
	"id" text PRIMARY KEY NOT NULL,
	"supplier_id" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"image_url" text,
	"wholesale_price_fen" bigint NOT NULL,
	"stock" integer NOT NULL,
	"shipping_regions" jsonb,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supplier_products_stock_non_negative" CHECK ("supplier_products"."stock" >= 0),
	CONSTRAINT "supplier_products_wholesale_positive" CHECK ("supplier_products"."wholesale_price_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "supplier_reservations" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"line_index" integer NOT NULL,
	"order_item_id" text,
	"listing_id" text,
	"supplier_product_id" text NOT NULL,
	"supplier_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"wholesale_price_fen" bigint NOT NULL,
	"unit_price_fen" bigint NOT NULL,
	"status" text DEFAULT 'reserved' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "supplier_reservations_quantity_positive" CHECK ("supplier_reservations"."quantity" > 0)
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
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_transaction_id_ledger_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."ledger_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_debit_account_id_ledger_accounts_id_fk" FOREIGN KEY ("debit_account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transfers" ADD CONSTRAINT "ledger_transfers_credit_account_id_ledger_accounts_id_fk" FOREIGN KEY ("credit_account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_members" ADD CONSTRAINT "organisation_members_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_members" ADD CONSTRAINT "organisation_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topup_reversals" ADD CONSTRAINT "topup_reversals_topup_id_topups_id_fk" FOREIGN KEY ("topup_id") REFERENCES "public"."topups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topups" ADD CONSTRAINT "topups_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "listings" ADD CONSTRAINT "listings_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_listing_id_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_consumer_user_id_users_id_fk" FOREIGN KEY ("consumer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_sale_id_sales_id_fk" FOREIGN KEY ("sale_id") REFERENCES "public"."sales"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_consumer_user_id_users_id_fk" FOREIGN KEY ("consumer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fulfillment_items" ADD CONSTRAINT "fulfillment_items_fulfillment_id_fulfillments_id_fk" FOREIGN KEY ("fulfillment_id") REFERENCES "public"."fulfillments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fulfillment_items" ADD CONSTRAINT "fulfillment_items_supplier_product_id_supplier_products_id_fk" FOREIGN KEY ("supplier_product_id") REFERENCES "public"."supplier_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fulfillment_returns" ADD CONSTRAINT "fulfillment_returns_fulfillment_id_fulfillments_id_fk" FOREIGN KEY ("fulfillment_id") REFERENCES "public"."fulfillments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fulfillments" ADD CONSTRAINT "fulfillments_supplier_id_organisations_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fulfillments" ADD CONSTRAINT "fulfillments_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fulfillments" ADD CONSTRAINT "fulfillments_consumer_user_id_users_id_fk" FOREIGN KEY ("consumer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_accounts" ADD CONSTRAINT "payout_accounts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supplier_products" ADD CONSTRAINT "supplier_products_supplier_id_organisations_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supplier_reservations" ADD CONSTRAINT "supplier_reservations_supplier_product_id_supplier_products_id_fk" FOREIGN KEY ("supplier_product_id") REFERENCES "public"."supplier_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supplier_reservations" ADD CONSTRAINT "supplier_reservations_supplier_id_organisations_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ad_views" ADD CONSTRAINT "ad_views_consumer_id_users_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ad_views" ADD CONSTRAINT "ad_views_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "otp_codes_phone_idx" ON "otp_codes" USING btree ("phone","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_owner_code_shard" ON "ledger_accounts" USING btree ("owner_type","owner_id","code","shard");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transfers_resolves_pending_once" ON "ledger_transfers" USING btree ("pending_id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_debit_idx" ON "ledger_transfers" USING btree ("debit_account_id","id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_credit_idx" ON "ledger_transfers" USING btree ("credit_account_id","id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_transaction_idx" ON "ledger_transfers" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "ledger_transfers_timeout_idx" ON "ledger_transfers" USING btree ("timeout_at") WHERE "ledger_transfers"."type" = 'pending';--> statement-breakpoint
CREATE INDEX "organisation_members_user_idx" ON "organisation_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "organisations_kind_status_idx" ON "organisations" USING btree ("kind","status","created_at");--> statement-breakpoint
CREATE INDEX "stripe_anomalies_created_idx" ON "stripe_anomalies" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "stripe_events_object_idx" ON "stripe_events" USING btree ("object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "topup_reversals_source_idx" ON "topup_reversals" USING btree ("topup_id","source");--> statement-breakpoint
CREATE INDEX "topups_merchant_idx" ON "topups" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "topups_payment_intent_idx" ON "topups" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "parameter_changes_lookup" ON "parameter_changes" USING btree ("scope","name","effective_from");--> statement-breakpoint
CREATE INDEX "listings_merchant_idx" ON "listings" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "order_items_order_idx" ON "order_items" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_checkout_session_idx" ON "orders" USING btree ("checkout_session_id");--> statement-breakpoint
CREATE INDEX "orders_consumer_idx" ON "orders" USING btree ("consumer_user_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_merchant_idx" ON "orders" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_pending_idx" ON "orders" USING btree ("expires_at") WHERE "orders"."status" = 'pending_payment';--> statement-breakpoint
CREATE INDEX "refunds_sale_idx" ON "refunds" USING btree ("sale_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sales_order_once" ON "sales" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "sales_merchant_idx" ON "sales" USING btree ("merchant_id","recorded_at","id");--> statement-breakpoint
CREATE INDEX "sales_consumer_idx" ON "sales" USING btree ("consumer_user_id","recorded_at","id");--> statement-breakpoint
CREATE INDEX "sales_awaiting_idx" ON "sales" USING btree ("expires_at") WHERE "sales"."status" = 'awaiting_confirmation';--> statement-breakpoint
CREATE INDEX "fulfillment_items_fulfillment_idx" ON "fulfillment_items" USING btree ("fulfillment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fulfillments_order_supplier" ON "fulfillments" USING btree ("order_id","supplier_id");--> statement-breakpoint
CREATE INDEX "fulfillments_supplier_status_idx" ON "fulfillments" USING btree ("supplier_id","status");--> statement-breakpoint
CREATE INDEX "fulfillments_merchant_idx" ON "fulfillments" USING btree ("merchant_id","settled_at");--> statement-breakpoint
CREATE INDEX "fulfillments_shipped_idx" ON "fulfillments" USING btree ("shipped_at") WHERE "fulfillments"."status" = 'shipped';--> statement-breakpoint
CREATE UNIQUE INDEX "payout_batches_organisation_period" ON "payout_batches" USING btree ("organisation_id","period_end");--> statement-breakpoint
CREATE INDEX "payout_batches_status_idx" ON "payout_batches" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "payout_items_event_once" ON "payout_items" USING btree ("organisation_id","kind","source_id");--> statement-breakpoint
CREATE INDEX "payout_items_batch_idx" ON "payout_items" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "supplier_products_supplier_idx" ON "supplier_products" USING btree ("supplier_id");--> statement-breakpoint
CREATE UNIQUE INDEX "supplier_reservations_order_line" ON "supplier_reservations" USING btree ("order_id","line_index");--> statement-breakpoint
CREATE INDEX "ad_view_refusals_created" ON "ad_view_refusals" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ad_view_refusals_reason" ON "ad_view_refusals" USING btree ("reason");--> statement-breakpoint
CREATE UNIQUE INDEX "ad_views_consumer_campaign_day" ON "ad_views" USING btree ("consumer_id","campaign_id","business_date");--> statement-breakpoint
CREATE INDEX "ad_views_consumer_day" ON "ad_views" USING btree ("consumer_id","business_date");--> statement-breakpoint
CREATE INDEX "video_completions_campaign_day" ON "video_completions" USING btree ("campaign_id","business_date");--> statement-breakpoint
CREATE UNIQUE INDEX "video_completions_consumer_slot" ON "video_completions" USING btree ("consumer_id","business_date","slot");