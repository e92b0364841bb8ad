CREATE TABLE `custom_categories` (
	`slug` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `received_activities` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`activity_iri` text NOT NULL,
	`type` text NOT NULL,
	`actor_iri` text NOT NULL,
	`object_iri` text,
	`object_type` text,
	`from_followed` integer NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `received_activities_activity_iri_unique` ON `received_activities` (`activity_iri`);--> statement-breakpoint
CREATE INDEX `received_object` ON `received_activities` (`object_iri`);--> statement-breakpoint
CREATE TABLE `claims` (
	`id` text PRIMARY KEY NOT NULL,
	`offer_id` text NOT NULL,
	`neighbor` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`note` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`category` text NOT NULL,
	`unit` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`available_milli` integer NOT NULL,
	`available_from` text,
	`available_until` text,
	`area_name` text NOT NULL,
	`latitude` real,
	`longitude` real,
	`conditions` text NOT NULL,
	`language` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `offers_kind_status` ON `offers` (`kind`,`status`);--> statement-breakpoint
CREATE INDEX `offers_until` ON `offers` (`status`,`available_until`);--> statement-breakpoint
CREATE TABLE `outbox_activities` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`iri` text NOT NULL,
	`type` text NOT NULL,
	`object_iri` text NOT NULL,
	`json` text NOT NULL,
	`published_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_activities_iri_unique` ON `outbox_activities` (`iri`);--> statement-breakpoint
CREATE TABLE `tombstones` (
	`iri` text PRIMARY KEY NOT NULL,
	`former_type` text NOT NULL,
	`deleted_at` text NOT NULL
);
