-- Posts their author deleted (src/social/schema.ts statusDeletions): a late Create or Update does not bring them back.
CREATE TABLE "status_deletions" (
	"iri" text PRIMARY KEY NOT NULL,
	"account_iri" text NOT NULL,
	"deleted_at" text NOT NULL
);
