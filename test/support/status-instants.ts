/**
 * Posts stored before their instants were written in one spelling (migrations 0039 and migrations-pg 0007): the
 * rows, as SQL either database runs, and what the migration must leave. `$n` placeholders, renumbered to `?` for
 * SQLite by the caller.
 */
export const LEGACY_POSTS_SQL = [
  "INSERT INTO accounts (id, iri, username, host, created_at, fetched_at) VALUES ('1', 'https://b.example/users/pod', 'pod', 'b.example', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')",
  "INSERT INTO statuses (id, iri, account_id, kind, content, visibility, published_at, edited_at) VALUES ('10', 'https://b.example/reports/1/note', '1', 'practice', '<p>v1</p>', 'public', '2026-12-01T00:30:00+01:00', '2026-12-01T01:00:00+01:00')",
  "INSERT INTO statuses (id, iri, account_id, kind, content, visibility, published_at, edited_at) VALUES ('11', 'https://b.example/reports/2/note', '1', 'practice', '<p>v1</p>', 'public', '2026-11-30T12:00:00Z', NULL)",
  "INSERT INTO statuses (id, iri, account_id, kind, content, visibility, published_at, edited_at) VALUES ('12', 'https://b.example/reports/3/note', '1', 'practice', '<p>v1</p>', 'public', '2026-11-30T12:00:00.000Z', 'not a time')",
];

/** id → [published_at, edited_at] after the migration. */
export const MIGRATED_INSTANTS = {
  "10": ["2026-11-30T23:30:00.000Z", "2026-12-01T00:00:00.000Z"],
  "11": ["2026-11-30T12:00:00.000Z", null],
  "12": ["2026-11-30T12:00:00.000Z", "not a time"],
};
