CREATE TABLE `document_versions` (
	`name` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `queue_messages_available`;--> statement-breakpoint
CREATE INDEX `queue_messages_ready_order` ON `queue_messages` (`available_at`,`created_at`,`id`);--> statement-breakpoint
INSERT INTO `document_versions` (`name`, `version`) VALUES ('nodeinfo', 0);
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_local_status_added` AFTER INSERT ON `statuses` WHEN (SELECT local FROM accounts WHERE id = NEW.account_id) = 1 BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_local_status_removed` AFTER DELETE ON `statuses` WHEN (SELECT local FROM accounts WHERE id = OLD.account_id) = 1 BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_status_changed` AFTER UPDATE OF `visibility`, `account_id` ON `statuses` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_account_changed` AFTER UPDATE OF `local` ON `accounts` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_follower_added` AFTER INSERT ON `followers` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_follower_removed` AFTER DELETE ON `followers` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
--> statement-breakpoint
CREATE TRIGGER `nodeinfo_follower_changed` AFTER UPDATE OF `state` ON `followers` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'nodeinfo'; END;
