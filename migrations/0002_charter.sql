CREATE TABLE `charter_revisions` (
	`number` integer PRIMARY KEY NOT NULL,
	`change_note` text NOT NULL,
	`services` text NOT NULL,
	`planned` text NOT NULL,
	`published_at` text NOT NULL,
	`reviewed_at` text NOT NULL
);
