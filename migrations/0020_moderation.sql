CREATE TABLE `blocked_accounts` (
	`actor_iri` text PRIMARY KEY NOT NULL,
	`handle` text DEFAULT '' NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `blocked_domains` (
	`domain` text PRIMARY KEY NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`direction` text NOT NULL,
	`activity_iri` text NOT NULL,
	`actor_iri` text NOT NULL,
	`objects` text DEFAULT '[]' NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`closed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_activity_iri_unique` ON `reports` (`activity_iri`);--> statement-breakpoint
CREATE INDEX `reports_direction` ON `reports` (`direction`,`created_at`);--> statement-breakpoint
ALTER TABLE `statuses` ADD `hidden_at` text;