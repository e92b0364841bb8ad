CREATE TABLE `rota_grown_skills` (
	`member_id` text NOT NULL,
	`role_id` text NOT NULL,
	`seat_id` text NOT NULL,
	`grown_at` text NOT NULL,
	PRIMARY KEY(`member_id`, `role_id`),
	FOREIGN KEY (`role_id`) REFERENCES `rota_roles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rota_reminders` (
	`subject_id` text NOT NULL,
	`member_id` text NOT NULL,
	`kind` text NOT NULL,
	`sent_at` text NOT NULL,
	PRIMARY KEY(`subject_id`, `member_id`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `rota_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`public_roles` integer DEFAULT true NOT NULL
);
