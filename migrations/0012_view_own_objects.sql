CREATE TABLE `view_own_objects` (
	`iri` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`pod_iri` text NOT NULL,
	`name` text NOT NULL,
	`summary` text NOT NULL,
	`content` text NOT NULL,
	`url` text,
	`category_iri` text,
	`action` text,
	`unit` text,
	`quantity_milli` integer,
	`available_milli` integer,
	`starts_at` text,
	`ends_at` text,
	`area_name` text,
	`latitude` real,
	`longitude` real,
	`extra` text DEFAULT '{}' NOT NULL,
	`adapted_from` text,
	`published` text NOT NULL,
	`version` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `view_own_kind_category` ON `view_own_objects` (`kind`,`category_iri`,`published`);--> statement-breakpoint
CREATE INDEX `view_own_kind_published` ON `view_own_objects` (`kind`,`published`);--> statement-breakpoint
CREATE INDEX `view_own_ends` ON `view_own_objects` (`kind`,`ends_at`);--> statement-breakpoint
CREATE INDEX `view_own_adapted` ON `view_own_objects` (`adapted_from`);