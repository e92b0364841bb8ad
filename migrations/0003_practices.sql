CREATE TABLE `practices` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`body` text NOT NULL,
	`tags` text NOT NULL,
	`problem` text NOT NULL,
	`outcomes` text NOT NULL,
	`language` text NOT NULL,
	`adapted_from` text,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `practices_status` ON `practices` (`status`,`id`);