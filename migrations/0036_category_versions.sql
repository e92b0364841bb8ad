-- The categories' change counter (src/db/versions.ts): each process keeps the pod's own categories in memory.
INSERT INTO `document_versions` (`name`, `version`) VALUES ('categories', 0);
--> statement-breakpoint
CREATE TRIGGER `categories_added` AFTER INSERT ON `custom_categories` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'categories'; END;
--> statement-breakpoint
CREATE TRIGGER `categories_changed` AFTER UPDATE ON `custom_categories` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'categories'; END;
--> statement-breakpoint
CREATE TRIGGER `categories_removed` AFTER DELETE ON `custom_categories` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'categories'; END;
