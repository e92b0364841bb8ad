CREATE TABLE `sovereignty_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`metric` text NOT NULL,
	`date` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`effort_milli` integer,
	`service` text,
	`note` text NOT NULL,
	`source` text NOT NULL,
	`entered_by` text NOT NULL,
	`supersedes` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sovereignty_entries_date` ON `sovereignty_entries` (`date`);--> statement-breakpoint
CREATE INDEX `sovereignty_entries_supersedes` ON `sovereignty_entries` (`supersedes`);--> statement-breakpoint
CREATE TABLE `sovereignty_metric_types` (
	`slug` text PRIMARY KEY NOT NULL,
	`label_en` text NOT NULL,
	`label_es` text NOT NULL,
	`unit` text NOT NULL,
	`category` text NOT NULL,
	`replaces` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sovereignty_neighbor_figures` (
	`pod_iri` text NOT NULL,
	`month` text NOT NULL,
	`metric_iri` text NOT NULL,
	`report_iri` text NOT NULL,
	`unit` text NOT NULL,
	`quantity_milli` integer,
	`fewer_than` integer,
	`version` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`pod_iri`, `month`, `metric_iri`)
);
--> statement-breakpoint
CREATE INDEX `sovereignty_figures_metric_month` ON `sovereignty_neighbor_figures` (`metric_iri`,`month`);--> statement-breakpoint
CREATE TABLE `sovereignty_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`month` text NOT NULL,
	`status` text NOT NULL,
	`figures` text NOT NULL,
	`intro` text NOT NULL,
	`progress` text NOT NULL,
	`language` text NOT NULL,
	`revision` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`published_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sovereignty_reports_month_unique` ON `sovereignty_reports` (`month`);--> statement-breakpoint
CREATE TABLE `sovereignty_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`small_count_threshold` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sovereignty_totals` (
	`metric_iri` text NOT NULL,
	`month` text NOT NULL,
	`unit` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`pod_count` integer NOT NULL,
	`fewer_than_count` integer NOT NULL,
	`fewer_than` integer,
	PRIMARY KEY(`metric_iri`, `month`)
);
--> statement-breakpoint
CREATE TABLE `sovereignty_weights` (
	`metric` text PRIMARY KEY NOT NULL,
	`hours_per_unit_milli` integer NOT NULL,
	`reason` text NOT NULL,
	`updated_at` text NOT NULL
);
