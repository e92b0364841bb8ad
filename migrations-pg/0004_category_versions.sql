-- The categories' change counter, as SQLite's migration 0036: each process keeps the pod's own categories in memory.
INSERT INTO "document_versions" ("name", "version") VALUES ('categories', 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER "categories" AFTER INSERT OR UPDATE OR DELETE ON "custom_categories"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('categories');
