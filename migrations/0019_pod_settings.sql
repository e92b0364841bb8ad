CREATE TABLE `pod_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text,
	`summary` text,
	`time_zone` text,
	`languages` text,
	`approve_followers` integer,
	`avatar_file` text,
	`avatar_type` text,
	`header_file` text,
	`header_type` text,
	`updated_at` text NOT NULL
);
