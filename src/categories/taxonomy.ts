/**
 * The shared category taxonomy. Every pod knows these, so a category IRI means the same thing across
 * the federation; a pod adds its own categories under its own URL (see service.ts).
 */
export const POD_NAMESPACE = "https://w3id.org/pods/ns#";
export const SHARED_CATEGORY_BASE = "https://w3id.org/pods/categories/";

export const SHARED_CATEGORIES = [
  { slug: "food", label: "Food" },
  { slug: "meals", label: "Cooked meals" },
  { slug: "housing", label: "Housing and shelter" },
  { slug: "transport", label: "Transport and rides" },
  { slug: "childcare", label: "Childcare" },
  { slug: "eldercare", label: "Elder care" },
  { slug: "health", label: "Health and care" },
  { slug: "mental-health", label: "Emotional support" },
  { slug: "clothing", label: "Clothing" },
  { slug: "tools", label: "Tools and equipment" },
  { slug: "repair", label: "Repair" },
  { slug: "education", label: "Learning and tutoring" },
  { slug: "legal", label: "Legal and paperwork help" },
  { slug: "mediation", label: "Mediation" },
  { slug: "energy", label: "Energy and heating" },
  { slug: "communications", label: "Communications and internet" },
  { slug: "hygiene", label: "Hygiene supplies" },
  { slug: "garden", label: "Gardens and seeds" },
  { slug: "space", label: "Space and venues" },
  { slug: "other", label: "Other" },
] as const;

export const CATEGORY_SLUG = /^[a-z0-9][a-z0-9-]{0,39}$/;
