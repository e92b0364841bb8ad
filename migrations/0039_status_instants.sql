-- The posts' instants in one spelling, as toISOString writes them (2026-11-30T12:00:00.000Z): the social store
-- keeps an edit only if it is at least as new as the one kept, comparing them as text (src/social/store.ts).
-- Neighbors' report posts were stored as sent (an offset, no milliseconds). Unreadable values stay as they are.
UPDATE `statuses` SET `published_at` = strftime('%Y-%m-%dT%H:%M:%fZ', `published_at`)
  WHERE strftime('%Y-%m-%dT%H:%M:%fZ', `published_at`) IS NOT NULL;
--> statement-breakpoint
UPDATE `statuses` SET `edited_at` = strftime('%Y-%m-%dT%H:%M:%fZ', `edited_at`)
  WHERE `edited_at` IS NOT NULL AND strftime('%Y-%m-%dT%H:%M:%fZ', `edited_at`) IS NOT NULL;
