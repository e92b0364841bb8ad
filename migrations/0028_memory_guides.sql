CREATE TABLE `memory_guide_links` (
	`subject_kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`guide_kind` text NOT NULL,
	`guide_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`subject_kind`, `subject_id`, `guide_kind`, `guide_id`)
);
--> statement-breakpoint
CREATE TABLE `memory_review_reminders` (
	`entry_id` text NOT NULL,
	`review_on` text NOT NULL,
	`member_id` text NOT NULL,
	`sent_at` text NOT NULL,
	PRIMARY KEY(`entry_id`, `review_on`, `member_id`)
);
--> statement-breakpoint
CREATE TABLE `memory_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`file_name` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`visibility` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `memory_guide_links` (`subject_kind`, `subject_id`, `guide_kind`, `guide_id`, `created_at`)
	SELECT 'offer', `offer_id`, `guide_kind`, `guide_id`, `created_at` FROM `memory_guides`;--> statement-breakpoint
DROP TABLE `memory_guides`;
