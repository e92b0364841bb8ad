-- The follows' change counter (src/db/versions.ts): the inbox keeps, per sender, whether the pod follows it.
INSERT INTO `document_versions` (`name`, `version`) VALUES ('follows', 0);
--> statement-breakpoint
CREATE TRIGGER `follows_added` AFTER INSERT ON `following` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'follows'; END;
--> statement-breakpoint
CREATE TRIGGER `follows_changed` AFTER UPDATE ON `following` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'follows'; END;
--> statement-breakpoint
CREATE TRIGGER `follows_removed` AFTER DELETE ON `following` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'follows'; END;
--> statement-breakpoint
-- Whether the operator was already told of a mention (every post the inbox keeps asks) reads an index, not every row.
CREATE INDEX `notifications_same` ON `notifications` (`account_id`,`type`,`status_id`);