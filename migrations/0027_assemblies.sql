CREATE TABLE `assemblies` (
	`id` text PRIMARY KEY NOT NULL,
	`iri` text NOT NULL,
	`invite_iri` text NOT NULL,
	`role` text NOT NULL,
	`convener_iri` text NOT NULL,
	`convener_inbox` text,
	`title` text NOT NULL,
	`start_time` text NOT NULL,
	`end_time` text,
	`time_zone` text NOT NULL,
	`place_name` text NOT NULL,
	`online_url` text,
	`agenda_html` text NOT NULL,
	`answer` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assemblies_iri_unique` ON `assemblies` (`iri`);--> statement-breakpoint
CREATE UNIQUE INDEX `assemblies_invite_iri_unique` ON `assemblies` (`invite_iri`);--> statement-breakpoint
CREATE INDEX `assemblies_start` ON `assemblies` (`start_time`);--> statement-breakpoint
CREATE TABLE `assembly_contributions` (
	`iri` text PRIMARY KEY NOT NULL,
	`assembly_id` text NOT NULL,
	`author_iri` text NOT NULL,
	`kind` text NOT NULL,
	`content_html` text NOT NULL,
	`in_reply_to` text,
	`published_at` text NOT NULL,
	`announced_at` text
);
--> statement-breakpoint
CREATE INDEX `assembly_contributions_order` ON `assembly_contributions` (`assembly_id`,`announced_at`,`iri`);--> statement-breakpoint
CREATE TABLE `assembly_participants` (
	`assembly_id` text NOT NULL,
	`actor_iri` text NOT NULL,
	`inbox` text,
	`answer` text NOT NULL,
	`answered_at` text,
	PRIMARY KEY(`assembly_id`, `actor_iri`)
);
