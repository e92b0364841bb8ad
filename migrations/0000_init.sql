CREATE TABLE `actor_keys` (
	`algorithm` text PRIMARY KEY NOT NULL,
	`private_jwk` text NOT NULL,
	`public_jwk` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `kv_entries` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE INDEX `kv_entries_expires_at` ON `kv_entries` (`expires_at`);--> statement-breakpoint
CREATE TABLE `queue_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`payload` text NOT NULL,
	`ordering_key` text,
	`available_at` integer NOT NULL,
	`claimed_until` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `queue_messages_available` ON `queue_messages` (`available_at`);--> statement-breakpoint
CREATE INDEX `queue_messages_ordering_key` ON `queue_messages` (`ordering_key`);--> statement-breakpoint
CREATE TABLE `followers` (
	`actor_iri` text PRIMARY KEY NOT NULL,
	`follow_iri` text NOT NULL,
	`handle` text,
	`inbox` text NOT NULL,
	`shared_inbox` text,
	`state` text NOT NULL,
	`created_at` text NOT NULL,
	`accepted_at` text
);
--> statement-breakpoint
CREATE TABLE `following` (
	`actor_iri` text PRIMARY KEY NOT NULL,
	`follow_iri` text NOT NULL,
	`handle` text,
	`inbox` text NOT NULL,
	`shared_inbox` text,
	`state` text NOT NULL,
	`created_at` text NOT NULL,
	`responded_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `following_follow_iri_unique` ON `following` (`follow_iri`);--> statement-breakpoint
CREATE TABLE `operator_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`label` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operator_tokens_token_hash_unique` ON `operator_tokens` (`token_hash`);