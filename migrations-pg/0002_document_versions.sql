-- The change counters in-memory copies check (src/db/versions.ts), bumped in the changing transaction as the
-- SQLite triggers of migrations 0013 and 0033 do.
INSERT INTO "document_versions" ("name", "version")
VALUES ('nodeinfo', 0), ('actor', 0), ('settings', 0), ('moderation', 0)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE FUNCTION "pods_bump_versions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "document_versions" SET "version" = "version" + 1 WHERE "name" = ANY (TG_ARGV);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- NodeInfo counts local posts: a status added or removed bumps it only when its account is local.
CREATE FUNCTION "pods_bump_nodeinfo_local_status"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  account text := CASE WHEN TG_OP = 'DELETE' THEN OLD."account_id" ELSE NEW."account_id" END;
BEGIN
  IF EXISTS (SELECT 1 FROM "accounts" WHERE "id" = account AND "local") THEN
    UPDATE "document_versions" SET "version" = "version" + 1 WHERE "name" = 'nodeinfo';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "nodeinfo_local_status" AFTER INSERT OR DELETE ON "statuses"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_nodeinfo_local_status"();
--> statement-breakpoint
CREATE TRIGGER "nodeinfo_status_changed" AFTER UPDATE OF "visibility", "account_id" ON "statuses"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('nodeinfo');
--> statement-breakpoint
CREATE TRIGGER "nodeinfo_account_changed" AFTER UPDATE OF "local" ON "accounts"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('nodeinfo');
--> statement-breakpoint
CREATE TRIGGER "nodeinfo_follower" AFTER INSERT OR DELETE OR UPDATE OF "state" ON "followers"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('nodeinfo');
--> statement-breakpoint
CREATE TRIGGER "actor_charter" AFTER INSERT OR UPDATE OR DELETE ON "charter_revisions"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('actor');
--> statement-breakpoint
CREATE TRIGGER "settings" AFTER INSERT OR UPDATE OR DELETE ON "pod_settings"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('settings', 'actor');
--> statement-breakpoint
CREATE TRIGGER "moderation_domains" AFTER INSERT OR UPDATE OR DELETE ON "blocked_domains"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('moderation');
--> statement-breakpoint
CREATE TRIGGER "moderation_accounts" AFTER INSERT OR UPDATE OR DELETE ON "blocked_accounts"
  FOR EACH ROW EXECUTE FUNCTION "pods_bump_versions"('moderation');
