CREATE TABLE "ledger_checkpoints" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_checkpoints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"last_transfer_id" bigint NOT NULL,
	"last_transfer_hash" text NOT NULL,
	"transfers" bigint NOT NULL,
	"accounts_digest" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "topups_paid_idx" ON "topups" USING btree ("paid_at");--> statement-breakpoint
CREATE INDEX "sales_decided_idx" ON "sales" USING btree ("decided_at") WHERE "sales"."status" = 'completed';