/** What the pod knows of its ties with one account → Mastodon's Relationship entity. */
export function toRelationship(
  accountId: string,
  ties: {
    following: "accepted" | "pending" | "rejected" | null;
    followedBy: "accepted" | "pending" | null;
    blocking?: boolean;
    domainBlocking?: boolean;
  },
) {
  return {
    id: accountId,
    following: ties.following === "accepted",
    showing_reblogs: ties.following === "accepted",
    notifying: false,
    languages: null,
    followed_by: ties.followedBy === "accepted",
    blocking: ties.blocking === true,
    blocked_by: false,
    muting: false,
    muting_notifications: false,
    requested: ties.following === "pending",
    requested_by: ties.followedBy === "pending",
    domain_blocking: ties.domainBlocking === true,
    endorsed: false,
    note: "",
  };
}
