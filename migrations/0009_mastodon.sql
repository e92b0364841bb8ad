CREATE TABLE `oauth_apps` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`client_secret_hash` text NOT NULL,
	`name` text NOT NULL,
	`website` text,
	`redirect_uris` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oauth_apps_client_id_unique` ON `oauth_apps` (`client_id`);--> statement-breakpoint
CREATE TABLE `oauth_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`scopes` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`code_challenge` text,
	`granted_by` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `oauth_apps`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`granted_by`) REFERENCES `operator_tokens`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `oauth_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`scopes` text NOT NULL,
	`operator` integer NOT NULL,
	`granted_by` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `oauth_apps`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`granted_by`) REFERENCES `operator_tokens`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`iri` text NOT NULL,
	`local` integer DEFAULT false NOT NULL,
	`username` text NOT NULL,
	`host` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`url` text,
	`avatar` text,
	`header` text,
	`kind` text DEFAULT 'Person' NOT NULL,
	`locked` integer DEFAULT false NOT NULL,
	`fields` text DEFAULT '[]' NOT NULL,
	`inbox` text,
	`shared_inbox` text,
	`created_at` text NOT NULL,
	`fetched_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_iri_unique` ON `accounts` (`iri`);--> statement-breakpoint
CREATE TABLE `markers` (
	`timeline` text PRIMARY KEY NOT NULL,
	`last_read_id` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`account_id` text NOT NULL,
	`status_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`status_id`) REFERENCES `statuses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reactions` (
	`status_id` text NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`activity_iri` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`status_id`, `account_id`, `kind`),
	FOREIGN KEY (`status_id`) REFERENCES `statuses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reactions_activity_iri_unique` ON `reactions` (`activity_iri`);--> statement-breakpoint
CREATE TABLE `statuses` (
	`id` text PRIMARY KEY NOT NULL,
	`iri` text NOT NULL,
	`url` text,
	`account_id` text NOT NULL,
	`in_reply_to_iri` text,
	`kind` text NOT NULL,
	`content` text NOT NULL,
	`spoiler_text` text DEFAULT '' NOT NULL,
	`visibility` text NOT NULL,
	`language` text,
	`sensitive` integer DEFAULT false NOT NULL,
	`mentions` text DEFAULT '[]' NOT NULL,
	`published_at` text NOT NULL,
	`edited_at` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `statuses_iri_unique` ON `statuses` (`iri`);--> statement-breakpoint
CREATE INDEX `statuses_account` ON `statuses` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `statuses_reply` ON `statuses` (`in_reply_to_iri`);