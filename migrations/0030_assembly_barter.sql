CREATE TABLE `assembly_agenda_drafts` (
	`assembly_id` text PRIMARY KEY NOT NULL,
	`markdown` text NOT NULL,
	`drafted_at` text NOT NULL,
	`published_at` text
);
--> statement-breakpoint
CREATE TABLE `assembly_crises` (
	`iri` text PRIMARY KEY NOT NULL,
	`assembly_id` text NOT NULL,
	`opener_iri` text NOT NULL,
	`what` text NOT NULL,
	`place` text NOT NULL,
	`needed` text NOT NULL,
	`state` text NOT NULL,
	`closing_iri` text,
	`closed_at` text,
	`opened_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `assembly_crises_assembly` ON `assembly_crises` (`assembly_id`,`state`);--> statement-breakpoint
CREATE TABLE `assembly_pledges` (
	`iri` text PRIMARY KEY NOT NULL,
	`assembly_id` text NOT NULL,
	`proposer_iri` text NOT NULL,
	`giver_iri` text NOT NULL,
	`receiver_iri` text NOT NULL,
	`offer_iri` text NOT NULL,
	`offer_name` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`unit` text NOT NULL,
	`due` text NOT NULL,
	`state` text NOT NULL,
	`confirmation_iri` text,
	`confirmed_at` text,
	`claim_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `assembly_pledges_assembly` ON `assembly_pledges` (`assembly_id`);