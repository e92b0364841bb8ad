CREATE TABLE `relayed_objects` (
	`object_iri` text PRIMARY KEY NOT NULL,
	`origin_iri` text NOT NULL,
	`announce_iri` text NOT NULL,
	`created_at` text NOT NULL
);
