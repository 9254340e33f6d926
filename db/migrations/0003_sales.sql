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
ALTER TABLE "listings" ADD CONSTRAINT "listings_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_listing_id_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_consumer_user_id_users_id_fk" FOREIGN KEY ("consumer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_sale_id_sales_id_fk" FOREIGN KEY ("sale_id") REFERENCES "public"."sales"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_consumer_user_id_users_id_fk" FOREIGN KEY ("consumer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
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
CREATE INDEX "sales_awaiting_idx" ON "sales" USING btree ("expires_at") WHERE "sales"."status" = 'awaiting_confirmation';