CREATE TABLE `rota_boundaries` (
	`member_id` text PRIMARY KEY NOT NULL,
	`max_risk` text DEFAULT 'low' NOT NULL,
	`declines` text DEFAULT '' NOT NULL,
	`unavailable` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rota_feed_tokens` (
	`member_id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rota_feed_tokens_hash` ON `rota_feed_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `rota_handoffs` (
	`id` text PRIMARY KEY NOT NULL,
	`role_id` text NOT NULL,
	`period` text NOT NULL,
	`outgoing_id` text NOT NULL,
	`incoming_id` text NOT NULL,
	`at` text,
	`place` text DEFAULT '' NOT NULL,
	`outgoing_confirmed_at` text,
	`incoming_confirmed_at` text,
	FOREIGN KEY (`role_id`) REFERENCES `rota_roles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rota_handoffs_seat` ON `rota_handoffs` (`role_id`,`period`,`incoming_id`);--> statement-breakpoint
CREATE TABLE `rota_roles` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`seats` integer NOT NULL,
	`skills` text DEFAULT '' NOT NULL,
	`risk` text NOT NULL,
	`tenure_limit` integer NOT NULL,
	`period` text NOT NULL,
	`handbook` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rota_seats` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`role_id` text NOT NULL,
	`member_id` text,
	`shadow` integer DEFAULT false NOT NULL,
	`beside` text,
	`status` text NOT NULL,
	`reason` text,
	`offered_by` text,
	FOREIGN KEY (`role_id`) REFERENCES `rota_roles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rota_seats_period` ON `rota_seats` (`period`);--> statement-breakpoint
CREATE INDEX `rota_seats_member` ON `rota_seats` (`member_id`);