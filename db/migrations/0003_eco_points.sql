CREATE TABLE "eco_topups" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"eco_points" bigint NOT NULL,
	"ad_points" bigint NOT NULL,
	"eco_point_unit_price_fen" integer NOT NULL,
	"ad_point_price_fen" integer NOT NULL,
	"receipt_number" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "eco_topups_receipt_number_unique" UNIQUE("receipt_number"),
	CONSTRAINT "eco_topups_positive" CHECK ("eco_topups"."eco_points" > 0 and "eco_topups"."ad_points" > 0)
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" text PRIMARY KEY NOT NULL,
	"holder_type" text NOT NULL,
	"holder_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"status" text NOT NULL,
	"eco_points" bigint NOT NULL,
	"fee_eco_points" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"eco_point_unit_price_fen" integer NOT NULL,
	"hold_transfer_id" bigint NOT NULL,
	"fee_hold_transfer_id" bigint,
	"payout_reference" text,
	"rejection_reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "withdrawals_amounts" CHECK ("withdrawals"."eco_points" > 0 and "withdrawals"."fee_eco_points" between 0 and "withdrawals"."eco_points")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "eco_points" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "eco_point_unit_price_fen" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "eco_points_value_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "eco_hold_transfer_id" bigint;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "eco_points_returned" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "cash_refunded_fen" bigint;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "eco_points" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "eco_point_unit_price_fen" integer;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "eco_points_value_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "eco_points_returned" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "cash_refunded_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "eco_topups" ADD CONSTRAINT "eco_topups_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eco_topups" ADD CONSTRAINT "eco_topups_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "eco_topups_merchant_idx" ON "eco_topups" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "withdrawals_holder_idx" ON "withdrawals" USING btree ("holder_type","holder_id","created_at");--> statement-breakpoint
CREATE INDEX "withdrawals_status_idx" ON "withdrawals" USING btree ("status","created_at");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_eco_points_within_amount" CHECK ("orders"."eco_points_value_fen" between 0 and "orders"."amount_fen");--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_eco_points_within_amount" CHECK ("sales"."eco_points_value_fen" between 0 and "sales"."amount_fen");--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_eco_points_returned_within" CHECK ("sales"."eco_points_returned" between 0 and "sales"."eco_points");