import type { Translate } from "../webapp/i18n/index.ts";
import { isMessageKey } from "../webapp/i18n/index.ts";
import { SHARED_CATEGORY_BASE } from "./taxonomy.ts";

/**
 * A category's name in the reader's language: the shared taxonomy's categories are translated; a pod's own
 * categories (this pod's or a neighbor's) keep the label their pod gave them.
 */
export function categoryName(t: Translate, category: { iri: string; label?: string | null; slug?: string }): string {
  if (category.iri.startsWith(SHARED_CATEGORY_BASE)) {
    const key = `category.${category.iri.slice(SHARED_CATEGORY_BASE.length)}`;
    if (isMessageKey(key)) return t(key);
  }
  return category.label ?? category.slug ?? category.iri;
}
