ALTER TABLE `followers` ADD `kind` text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
-- The outbox now lists what people read: the structured objects (pods read them from the per-kind collections) go.
DELETE FROM `outbox_activities` WHERE `type` IN ('Create', 'PodCreate', 'Update', 'PodUpdate')
  AND json_extract(`json`, '$.object.type') IN ('Proposal', 'Article');--> statement-breakpoint
-- A practice's own status is now its readable Note (/practices/<id>/note), as for offers and the charter.
UPDATE `statuses` SET `iri` = `iri` || '/note'
  WHERE `kind` = 'practice' AND `iri` NOT LIKE '%/note'
  AND `account_id` IN (SELECT `id` FROM `accounts` WHERE `local` = 1);
