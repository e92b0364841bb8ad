CREATE TABLE `memory_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`body` text NOT NULL,
	`decided_by` text DEFAULT '' NOT NULL,
	`alternatives` text DEFAULT '' NOT NULL,
	`review_on` text,
	`superseded_by` text,
	`learned` text DEFAULT '' NOT NULL,
	`changed` text DEFAULT '' NOT NULL,
	`practice_id` text,
	`adapted_from` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`visibility` text NOT NULL,
	`status` text NOT NULL,
	`publication_id` text,
	`language` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memory_entries_publication_id_unique` ON `memory_entries` (`publication_id`);--> statement-breakpoint
CREATE INDEX `memory_entries_kind` ON `memory_entries` (`kind`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `memory_guides` (
	`offer_id` text NOT NULL,
	`guide_kind` text NOT NULL,
	`guide_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`offer_id`, `guide_kind`, `guide_id`)
);
--> statement-breakpoint
CREATE TABLE `memory_revisions` (
	`entry_id` text NOT NULL,
	`number` integer NOT NULL,
	`body` text NOT NULL,
	`change_note` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`entry_id`, `number`),
	FOREIGN KEY (`entry_id`) REFERENCES `memory_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `memory_search` USING fts5(`entry_id` UNINDEXED, `title`, `summary`, `body`, tokenize = 'unicode61 remove_diacritics 2');
