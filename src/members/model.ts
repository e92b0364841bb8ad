import type { auditLog, invitations, members, memberSessions } from "./schema.ts";

export type { InvitationPurpose, MemberRole } from "./schema.ts";
export type Member = typeof members.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type MemberSession = typeof memberSessions.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ProfileFields = Pick<
  Member,
  "displayName" | "contact" | "languages" | "skills" | "availability" | "boundaries" | "locale"
>;
