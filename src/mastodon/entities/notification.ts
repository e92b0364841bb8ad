import type { AccountEntity } from "./account.ts";
import type { StatusEntity } from "./status.ts";

export interface NotificationRow {
  id: string;
  type: string;
  createdAt: string;
}

/** A notification row → Mastodon's Notification entity. */
export function toNotification(row: NotificationRow, account: AccountEntity, status: StatusEntity | null) {
  return {
    id: row.id,
    type: row.type,
    created_at: new Date(row.createdAt).toISOString(),
    group_key: `ungrouped-${row.id}`,
    account,
    status,
  };
}
