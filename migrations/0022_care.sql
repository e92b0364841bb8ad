CREATE TABLE `care_case_people` (
	`case_id` text NOT NULL,
	`member_id` text NOT NULL,
	PRIMARY KEY(`case_id`, `member_id`),
	FOREIGN KEY (`case_id`) REFERENCES `care_cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `care_case_people_member` ON `care_case_people` (`member_id`);--> statement-breakpoint
CREATE TABLE `care_case_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`day` text NOT NULL,
	`text` text NOT NULL,
	`author_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `care_cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `care_case_steps_case` ON `care_case_steps` (`case_id`);--> statement-breakpoint
CREATE TABLE `care_cases` (
	`id` text PRIMARY KEY NOT NULL,
	`what` text NOT NULL,
	`mediator_id` text,
	`outcome` text,
	`without_authorities` integer DEFAULT false NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text
);
--> statement-breakpoint
CREATE TABLE `care_circle_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`week` text NOT NULL,
	`answered` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE `care_circle_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`circle_id` text NOT NULL,
	`starts_at` text NOT NULL,
	`facilitator_id` text,
	`attendance` integer NOT NULL,
	FOREIGN KEY (`circle_id`) REFERENCES `care_circles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `care_circle_sessions_occurrence` ON `care_circle_sessions` (`circle_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `care_circles` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`rrule` text NOT NULL,
	`minutes` integer DEFAULT 90 NOT NULL,
	`theme` text DEFAULT '' NOT NULL,
	`place` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`ended_at` text
);
--> statement-breakpoint
CREATE TABLE `care_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`window_weeks` integer DEFAULT 8 NOT NULL,
	`busy_seats` integer DEFAULT 6 NOT NULL,
	`rest_after` integer DEFAULT 4 NOT NULL,
	`late_hours` integer DEFAULT 48 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `care_volunteers` (
	`member_id` text PRIMARY KEY NOT NULL,
	`facilitates` integer DEFAULT false NOT NULL,
	`mediates` integer DEFAULT false NOT NULL,
	`since` text NOT NULL
);
