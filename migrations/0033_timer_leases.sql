CREATE TABLE `timer_leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text,
	`lease_until` integer,
	`last_run_at` integer,
	`runs` integer DEFAULT 0 NOT NULL
);

--> statement-breakpoint
INSERT INTO `document_versions` (`name`, `version`) VALUES ('actor', 0), ('settings', 0), ('moderation', 0);
--> statement-breakpoint
CREATE TRIGGER `actor_charter_added` AFTER INSERT ON `charter_revisions` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'actor'; END;
--> statement-breakpoint
CREATE TRIGGER `actor_charter_changed` AFTER UPDATE ON `charter_revisions` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'actor'; END;
--> statement-breakpoint
CREATE TRIGGER `actor_charter_removed` AFTER DELETE ON `charter_revisions` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'actor'; END;
--> statement-breakpoint
CREATE TRIGGER `settings_added` AFTER INSERT ON `pod_settings` BEGIN UPDATE document_versions SET version = version + 1 WHERE name IN ('settings', 'actor'); END;
--> statement-breakpoint
CREATE TRIGGER `settings_changed` AFTER UPDATE ON `pod_settings` BEGIN UPDATE document_versions SET version = version + 1 WHERE name IN ('settings', 'actor'); END;
--> statement-breakpoint
CREATE TRIGGER `settings_removed` AFTER DELETE ON `pod_settings` BEGIN UPDATE document_versions SET version = version + 1 WHERE name IN ('settings', 'actor'); END;
--> statement-breakpoint
CREATE TRIGGER `moderation_domain_added` AFTER INSERT ON `blocked_domains` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'moderation'; END;
--> statement-breakpoint
CREATE TRIGGER `moderation_domain_changed` AFTER UPDATE ON `blocked_domains` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'moderation'; END;
--> statement-breakpoint
CREATE TRIGGER `moderation_domain_removed` AFTER DELETE ON `blocked_domains` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'moderation'; END;
--> statement-breakpoint
CREATE TRIGGER `moderation_account_added` AFTER INSERT ON `blocked_accounts` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'moderation'; END;
--> statement-breakpoint
CREATE TRIGGER `moderation_account_changed` AFTER UPDATE ON `blocked_accounts` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'moderation'; END;
--> statement-breakpoint
CREATE TRIGGER `moderation_account_removed` AFTER DELETE ON `blocked_accounts` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'moderation'; END;
