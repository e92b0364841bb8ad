-- Whether the pod held a deleted post, and the post's server (src/social/schema.ts statusDeletions): Deletes of posts it never held are kept a while, so many per server.
ALTER TABLE `status_deletions` ADD `held` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `status_deletions` ADD `origin` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `status_deletions_unheld_origin` ON `status_deletions` (`held`,`origin`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `status_deletions_unheld_age` ON `status_deletions` (`held`,`deleted_at`);