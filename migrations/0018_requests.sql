CREATE TABLE `neighbor_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`subject_id` text NOT NULL,
	`subject_name` text NOT NULL,
	`name` text NOT NULL,
	`contact` text NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`quantity_milli` integer,
	`status` text DEFAULT 'new' NOT NULL,
	`claimed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `neighbor_requests_status` ON `neighbor_requests` (`status`,`id`);