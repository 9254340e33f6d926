CREATE TABLE "supplier_payout_accounts" (
	"supplier_id" text PRIMARY KEY NOT NULL,
	"stripe_account_id" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "supplier_payout_accounts" ADD CONSTRAINT "supplier_payout_accounts_supplier_id_suppliers_id_fk" FOREIGN KEY ("supplier_id") REFERENCES "public"."suppliers"("id") ON DELETE no action ON UPDATE no action;