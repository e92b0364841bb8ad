import type { Member } from "../members/model.ts";
import type { MessageKey } from "./i18n/index.ts";

export interface MenuEntry {
  href: string;
  label: MessageKey;
  /** Who sees it: every member, or coordinators only. */
  who: Member["role"] | "member";
  /** Shown in the header on every page (few: the header must fit a phone in one or two lines). */
  header?: boolean;
}

export interface MenuGroup {
  heading: MessageKey;
  entries: MenuEntry[];
}

/** Every page of the app, grouped as a coordinator thinks of them; the header shows the few marked. */
export const MENU: MenuGroup[] = [
  {
    heading: "menu.group.aid",
    entries: [
      { href: "/app/offers", label: "nav.offers", who: "coordinator", header: true },
      { href: "/app/requests", label: "requests.title", who: "coordinator", header: true },
      { href: "/app/neighbors", label: "content.nav.neighbors", who: "coordinator" },
    ],
  },
  {
    heading: "menu.group.people",
    entries: [
      { href: "/app/rota/mine", label: "rota.mine.nav", who: "member", header: true },
      { href: "/app/rota", label: "rota.nav", who: "coordinator" },
      { href: "/app/care", label: "care.nav", who: "member" },
      { href: "/app/members", label: "nav.members", who: "coordinator" },
      { href: "/app/assemblies", label: "assemblies.nav", who: "member" },
    ],
  },
  {
    heading: "menu.group.memory",
    entries: [
      { href: "/app/memory", label: "memory.nav", who: "member" },
      { href: "/app/practices", label: "content.nav.practices", who: "coordinator" },
      { href: "/app/charter", label: "charter.nav", who: "coordinator" },
      { href: "/app/sovereignty", label: "sov.nav", who: "member" },
    ],
  },
  {
    heading: "menu.group.pod",
    entries: [
      { href: "/app/settings", label: "settings.nav", who: "coordinator" },
      { href: "/app/categories", label: "categories.nav", who: "coordinator" },
      { href: "/app/moderation", label: "nav.moderation", who: "coordinator" },
      { href: "/app/audit", label: "nav.audit", who: "coordinator" },
      { href: "/app/tokens", label: "nav.tokens", who: "coordinator" },
    ],
  },
  {
    heading: "menu.group.you",
    entries: [
      { href: "/app/profile", label: "nav.profile", who: "member" },
      { href: "/app/security", label: "nav.security", who: "member" },
    ],
  },
];

/** The groups as this member may use them (empty groups left out). */
export function menuFor(member: Pick<Member, "role">): MenuGroup[] {
  const allowed = (entry: MenuEntry) => entry.who === "member" || entry.who === member.role;
  return MENU.map((group) => ({ ...group, entries: group.entries.filter(allowed) })).filter(
    (group) => group.entries.length > 0,
  );
}
