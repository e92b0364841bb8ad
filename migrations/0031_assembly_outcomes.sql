CREATE TABLE `assembly_ratifications` (
	`iri` text PRIMARY KEY NOT NULL,
	`assembly_id` text NOT NULL,
	`proposal_iri` text NOT NULL,
	`actor_iri` text NOT NULL,
	`answer` text NOT NULL,
	`decision_id` text,
	`decided_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assembly_ratifications_one` ON `assembly_ratifications` (`proposal_iri`,`actor_iri`);--> statement-breakpoint
CREATE INDEX `assembly_ratifications_assembly` ON `assembly_ratifications` (`assembly_id`);--> statement-breakpoint
ALTER TABLE `assemblies` ADD `visibility` text DEFAULT 'participants' NOT NULL;--> statement-breakpoint
ALTER TABLE `assemblies` ADD `minutes_iri` text;--> statement-breakpoint
ALTER TABLE `assemblies` ADD `minutes_html` text;--> statement-breakpoint
ALTER TABLE `assemblies` ADD `minutes_at` text;--> statement-breakpoint
ALTER TABLE `assemblies` ADD `next_convener_iri` text;