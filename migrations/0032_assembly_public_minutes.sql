ALTER TABLE `assemblies` ADD `minutes_public_html` text;--> statement-breakpoint
ALTER TABLE `assemblies` ADD `minutes_note_html` text;