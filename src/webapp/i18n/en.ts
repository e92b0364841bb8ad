import { menuEn } from "./areas/menu.ts";
import { auditEn } from "./areas/audit.ts";
import { categoriesEn } from "./areas/categories.ts";
import { careEn } from "./areas/care.ts";
import { contentEn } from "./areas/content.ts";
import { memoryEn } from "./areas/memory.ts";
import { moderationEn } from "./areas/moderation.ts";
import { publicEn } from "./areas/public.ts";
import { rotationEn } from "./areas/rotation.ts";
import { sovereigntyEn } from "./areas/sovereignty.ts";
import { assembliesEn } from "./areas/assemblies.ts";
import { assemblyOutcomesEn } from "./areas/assembly-outcomes.ts";
import { assemblyBarterEn } from "./areas/assembly-barter.ts";
import { settingsEn } from "./areas/settings.ts";
import { signinEn } from "./areas/signin.ts";
import { viewEn } from "./areas/view.ts";

/**
 * The web app's English messages. Every other catalog is typed Record<MessageKey, string>: a missing key fails the
 * type-check.
 */
export const en = {
  "app.name": "{pod} — pod app",
  "app.skip": "Skip to content",
  "nav.label": "Main",
  "nav.dashboard": "Dashboard",
  "nav.offers": "Offers and needs",
  "nav.members": "Members",
  "nav.audit": "Audit log",
  "nav.tokens": "API tokens",
  "nav.profile": "My profile",
  "nav.signOut": "Sign out",
  "nav.language": "Language",
  "nav.publicPage": "Public page",

  "signIn.title": "Sign in",
  "signIn.intro": "Members sign in here. New members join through an invitation link from a coordinator.",
  "signIn.username": "Username",
  "signIn.password": "Password",
  "signIn.submit": "Sign in",
  "signIn.failed": "That username and password do not match a member of this pod.",
  "signIn.tooMany": "Too many attempts from this address. Wait a minute and try again.",
  "signIn.setupPending": "This pod has no coordinator yet: open the setup link printed when the server started.",

  "setup.title": "Set up your pod",
  "setup.intro":
    "You are the pod's first coordinator. Name the pod, then choose a username and a password; next you can invite others, and add a passkey under Security.",
  "setup.submit": "Create my account",

  "join.title": "Join {pod}",
  "join.intro": "You were invited as {role}. Choose a name the others will see and how you sign in.",
  "join.submit": "Join the pod",

  "reset.title": "Set a new password",
  "reset.intro": "Setting a new password for {name}. Every device signed in as you is signed out.",
  "reset.submit": "Save the new password",

  "invitation.used": "This link was already used. Ask a coordinator for a new one.",
  "invitation.expired": "This link has expired. Ask a coordinator for a new one.",
  "invitation.unknown": "This link is not valid. Check that you copied all of it.",
  "invitation.superseded":
    "A newer setup link was printed when the pod started again: use the latest one from the pod's output.",
  "invitation.setupDone": "This pod is already set up. Sign in, or ask a coordinator for an invitation.",
  "invitation.open": "This link is valid.",

  "field.displayName": "Name others see",
  "field.username": "Username (to sign in)",
  "field.usernameHint": "2–30 lowercase letters, digits, dots, dashes or underscores.",
  "field.password": "Password",
  "field.passwordHint": "At least 10 characters. A short sentence is easy to remember and hard to guess.",
  "field.contact": "How the pod reaches you (private)",
  "field.languages": "Languages you speak",
  "field.skills": "Skills",
  "field.availability": "When you are available",
  "field.boundaries": "Your limits: risks you will not take, tasks you do not consent to",
  "field.locale": "Language of this app",
  "field.localeBrowser": "As my browser",
  "field.role": "Role",

  "role.coordinator": "coordinator",
  "role.member": "member",

  "error.required": "Fill this in.",
  "error.username": "Use 2–30 lowercase letters, digits, dots, dashes or underscores.",
  "error.usernameTaken": "Another member already uses this username.",
  "error.passwordShort": "Use at least 10 characters.",
  "error.passwordLong": "Use at most 200 characters.",
  "error.unknownMember": "No such member.",
  "error.lastCoordinator": "The pod needs at least one coordinator.",
  "error.form": "Some fields need attention: see the notes beside them.",
  "error.csrf": "This form expired or came from another site. Go back, reload the page and try again.",
  "error.forbidden": "Only coordinators can open this page.",
  "error.notFound": "There is nothing here.",
  "error.date": "Pick a date and time after now.",
  "error.number": "Write a number, such as 12 or 2.5.",

  "errorPage.400": "This did not work",
  "errorPage.403": "Not allowed",
  "errorPage.404": "Not found",
  "errorPage.429": "Too many attempts",
  "errorPage.500": "Something went wrong on the pod",
  "errorPage.500detail": "The coordinators can find the details in the server's log. Try again in a moment.",
  "errorPage.back": "Back to the app",

  "dashboard.title": "Dashboard",
  "dashboard.hello": "Hello, {name}.",
  "dashboard.offers": "Open offers: {count}",
  "dashboard.needs": "Open needs: {count}",
  "dashboard.members": "Members: {count}",
  "dashboard.invitations": "Invitations waiting to be used: {count}",
  "dashboard.followRequests": "Follow requests waiting for an answer: {count}",
  "dashboard.endingSoon": "Ending in the next three days: {names}",
  "dashboard.charterDue": "The charter's monthly review is due {at}.",
  "dashboard.charterOverdue": "The charter's monthly review was due {at}: review it with the other coordinators.",
  "dashboard.noCharter": "The pod has no charter yet: say which services it handles now and which it takes on next.",
  "dashboard.next": "What next: publish an offer or a need, or invite the people who coordinate with you.",
  "dashboard.newOffer": "Publish an offer",
  "dashboard.newNeed": "Publish a need",
  "dashboard.invite": "Invite a member",
  "dashboard.memberNext": "Keep your profile up to date so coordinators know when and how you can help.",

  "members.title": "Members",
  "members.none": "No members yet.",
  "members.invite": "Invite someone",
  "members.inviteHint": "The link works once, for {hours} hours. Send it privately.",
  "members.inviteSubmit": "Make an invitation link",
  "members.linkMade": "Invitation link (shown once; copy it now):",
  "members.resetMade": "Password link for {name} (shown once; copy it now):",
  "members.open": "Invitations not used yet",
  "members.revoke": "Revoke",
  "members.reset": "Make a password link",
  "members.makeCoordinator": "Make coordinator",
  "members.makeMember": "Make member",
  "members.expires": "expires {at}",
  "members.joined": "joined {at}",

  "profile.title": "My profile",
  "profile.intro": "Only this pod's coordinators see this. It is never published or sent to other servers.",
  "profile.save": "Save",
  "profile.saved": "Saved.",
  "profile.sessions": "Where you are signed in",
  "profile.thisDevice": "this device",
  "profile.lastSeen": "last seen {at}",
  "profile.endSession": "Sign out there",
  "profile.signOutEverywhere": "Sign out everywhere",

  "offers.title": "Offers and needs",
  "offers.none": "Nothing published yet.",
  "offers.new": "Publish an offer",
  "offers.newNeed": "Publish a need",
  "offers.newTitle.offer": "Publish an offer",
  "offers.newTitle.need": "Publish a need",
  "offers.intro.offer": "Something the pod has to share. Followers and neighbor pods see it as soon as you publish.",
  "offers.intro.need": "Something the pod is looking for. Followers and neighbor pods see it as soon as you publish.",
  "offers.name": "What",
  "offers.description": "Details (optional)",
  "offers.category": "Category",
  "offers.quantity": "Quantity",
  "offers.unit": "Unit (kg, meals, hours…)",
  "offers.area": "Area (a neighborhood, not an address)",
  "offers.conditions": "Conditions (optional)",
  "offers.until": "Available until (optional)",
  "offers.publish": "Publish",
  "offers.published": "Published. Followers and neighbor pods receive it now.",
  "offers.publishedNoFollowers":
    "Published on the pod's public pages. Nobody follows the pod yet: share its address, {handle}, so that people and neighbor pods can follow it and receive what it publishes.",
  "offers.kind.offer": "offer",
  "offers.kind.need": "need",
  "offers.status.open": "open",
  "offers.status.partly_claimed": "partly claimed",
  "offers.status.claimed": "all claimed",
  "offers.status.expired": "expired",
  "offers.status.withdrawn": "withdrawn",
  "offers.view": "See the public page",

  "tokens.title": "API tokens",
  "tokens.intro":
    "A token lets a script or app of yours use the pod's admin API as you. It works while you are a coordinator.",
  "tokens.none": "You have no tokens.",
  "tokens.label": "What it is for",
  "tokens.create": "Make a token",
  "tokens.made": "Your new token (shown once; copy it now):",
  "tokens.revoke": "Revoke",
  "tokens.created": "made {at}",

  "offer.claims": "Claims (private: never published)",
  "offer.noClaims": "No claims yet.",
  "offer.recordClaim": "Record a claim",
  "offer.claimHint": "Who took part of it and how much. The name stays on this pod; followers only see what is left.",
  "offer.neighbor": "Who (a first name or a household)",
  "offer.claimQuantity": "How much",
  "offer.claimNote": "Note (optional)",
  "offer.claimSubmit": "Record",
  "offer.claimed": "Claim recorded. Followers now see what is left.",
  "offer.withdraw": "Withdraw",
  "offer.withdrawHint": "Withdrawing tells followers and neighbor pods it is no longer available. It cannot be undone.",
  "offer.withdrawn": "Withdrawn. Followers and neighbor pods are told.",
  "offer.details": "Manage",
  "offer.left": "{left} of {total} {unit} left",

  "audit.title": "Audit log",
  "audit.none": "Nothing recorded yet.",
  "audit.when": "When",
  "audit.who": "Who",
  "audit.what": "What",
  "audit.subject": "Subject",
  ...auditEn,
  ...menuEn,
  ...categoriesEn,
  ...contentEn,
  ...memoryEn,
  ...moderationEn,
  ...publicEn,
  ...rotationEn,
  ...careEn,
  ...sovereigntyEn,
  ...assembliesEn,
  ...assemblyOutcomesEn,
  ...assemblyBarterEn,
  ...settingsEn,
  ...signinEn,
  ...viewEn,
} as const;

export type MessageKey = keyof typeof en;
