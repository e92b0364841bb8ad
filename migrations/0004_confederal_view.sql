CREATE TABLE `neighbor_pods` (
	`actor_iri` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`handle` text,
	`url` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `view_objects` (
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
	`version` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `view_kind_category` ON `view_objects` (`kind`,`category_iri`,`published`);--> statement-breakpoint
CREATE INDEX `view_kind_published` ON `view_objects` (`kind`,`published`);--> statement-breakpoint
CREATE INDEX `view_pod` ON `view_objects` (`pod_iri`);--> statement-breakpoint
CREATE INDEX `view_ends` ON `view_objects` (`kind`,`ends_at`);--> statement-breakpoint
CREATE TABLE `view_paths` (
	`object_iri` text NOT NULL,
	`via_iri` text NOT NULL,
	`announce_iri` text,
	`received_at` text NOT NULL,
	PRIMARY KEY(`object_iri`, `via_iri`),
	FOREIGN KEY (`object_iri`) REFERENCES `view_objects`(`iri`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `view_paths_via` ON `view_paths` (`via_iri`);--> statement-breakpoint
CREATE TABLE `view_services` (
	`iri` text PRIMARY KEY NOT NULL,
	`charter_iri` text NOT NULL,
	`pod_iri` text NOT NULL,
	`name` text NOT NULL,
	`category_iri` text,
	`status` text NOT NULL,
	`target` text,
	FOREIGN KEY (`charter_iri`) REFERENCES `view_objects`(`iri`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `view_services_category` ON `view_services` (`category_iri`);