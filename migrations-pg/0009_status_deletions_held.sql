-- Whether the pod held a deleted post (src/social/schema.ts statusDeletions): Deletes of posts it never held are kept a while, so many per account.
ALTER TABLE "status_deletions" ADD COLUMN "held" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX "status_deletions_held" ON "status_deletions" USING btree ("held","account_iri","deleted_at");