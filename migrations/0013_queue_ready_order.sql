DROP INDEX `queue_messages_available`;--> statement-breakpoint
CREATE INDEX `queue_messages_ready_order` ON `queue_messages` (`available_at`,`created_at`,`id`);