-- The guide links' change counter (src/db/versions.ts): each process keeps the public guide links in memory.
INSERT INTO `document_versions` (`name`, `version`) VALUES ('guides', 0);
--> statement-breakpoint
CREATE TRIGGER `guides_link_added` AFTER INSERT ON `memory_guide_links` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_link_removed` AFTER DELETE ON `memory_guide_links` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_entry_added` AFTER INSERT ON `memory_entries` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_entry_changed` AFTER UPDATE ON `memory_entries` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_upload_added` AFTER INSERT ON `memory_uploads` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_upload_changed` AFTER UPDATE ON `memory_uploads` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_upload_removed` AFTER DELETE ON `memory_uploads` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_practice_added` AFTER INSERT ON `practices` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
--> statement-breakpoint
CREATE TRIGGER `guides_practice_changed` AFTER UPDATE ON `practices` BEGIN UPDATE document_versions SET version = version + 1 WHERE name = 'guides'; END;
