-- The follows' change counter, as SQLite's migration 0037: the inbox keeps, per sender, whether the pod follows it.
INSERT INTO "document_versions" ("name", "version") VALUES ('follows', 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER "follows" AFTER INSERT OR UPDATE OR DELETE ON "following"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('follows');
--> statement-breakpoint
-- Whether the operator was already told of a mention (every post the inbox keeps asks), as SQLite's 0037.
CREATE INDEX "notifications_same" ON "notifications" USING btree ("account_id","type","status_id");