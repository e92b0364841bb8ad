-- The guide links' change counter, as SQLite's migration 0038: each process keeps the public guide links in memory
-- (a link shows while its practice is published, its workflow public and active, its upload public).
INSERT INTO "document_versions" ("name", "version") VALUES ('guides', 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER "guides_links" AFTER INSERT OR UPDATE OR DELETE ON "memory_guide_links"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('guides');
--> statement-breakpoint
CREATE TRIGGER "guides_entries" AFTER INSERT OR UPDATE OR DELETE ON "memory_entries"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('guides');
--> statement-breakpoint
CREATE TRIGGER "guides_uploads" AFTER INSERT OR UPDATE OR DELETE ON "memory_uploads"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('guides');
--> statement-breakpoint
CREATE TRIGGER "guides_practices" AFTER INSERT OR UPDATE OR DELETE ON "practices"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('guides');
