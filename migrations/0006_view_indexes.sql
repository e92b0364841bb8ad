CREATE INDEX `view_position` ON `view_objects` (`latitude`,`longitude`);--> statement-breakpoint
CREATE INDEX `view_services_charter` ON `view_services` (`charter_iri`);