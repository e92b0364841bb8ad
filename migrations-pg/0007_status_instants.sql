-- The posts' instants in one spelling, as SQLite's migration 0039: as toISOString writes them, so that the social
-- store compares them as text. A value PostgreSQL cannot read as an instant stays as it is.
CREATE FUNCTION "pods_iso_instant"(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN to_char(value::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
EXCEPTION WHEN others THEN
  RETURN value;
END $$;
--> statement-breakpoint
UPDATE "statuses" SET "published_at" = "pods_iso_instant"("published_at"), "edited_at" = "pods_iso_instant"("edited_at")
  WHERE "published_at" !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$'
    OR "edited_at" !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$';
--> statement-breakpoint
DROP FUNCTION "pods_iso_instant"(text);
