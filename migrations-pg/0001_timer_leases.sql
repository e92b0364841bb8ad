CREATE TABLE "timer_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text,
	"lease_until" bigint,
	"last_run_at" bigint,
	"runs" bigint DEFAULT 0 NOT NULL
);
