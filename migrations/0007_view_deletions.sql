CREATE TABLE `view_deletions` (
	`iri` text PRIMARY KEY NOT NULL,
	`pod_iri` text NOT NULL,
	`deleted_at` text NOT NULL
);
