import { SHARED_CATEGORIES } from "../categories/taxonomy.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MetricTypeInput } from "./ledger.ts";
import { parseMilli } from "./model.ts";
import { type Institution, INSTITUTIONS, METRIC_SLUG, METRIC_UNIT } from "./taxonomy.ts";

export const METRIC_FORM_FIELDS = ["labelEn", "labelEs", "unit", "category", "replaces", "weight"] as const;
export type MetricFormValues = Partial<Record<(typeof METRIC_FORM_FIELDS)[number], string>>;
const LABEL_MAX = 80;

/** "Seeds shared (packets)" → "seeds-shared-packets": the type's IRI under the pod's URL. */
export function slugFromName(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** The form's values checked, each problem beside its field (messages in both languages, sov.type.error.*). */
export function readMetricTypeForm(
  values: MetricFormValues,
  taken: ReadonlySet<string>,
): { input?: MetricTypeInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const labelEn = (values.labelEn ?? "").trim();
  const labelEs = (values.labelEs ?? "").trim();
  const unit = (values.unit ?? "").trim();
  const slug = slugFromName(labelEn);
  if (!labelEn || labelEn.length > LABEL_MAX) errors.labelEn = "sov.type.error.label";
  else if (!METRIC_SLUG.test(slug)) errors.labelEn = "sov.type.error.slug";
  else if (taken.has(slug)) errors.labelEn = "sov.type.error.exists";
  if (!labelEs || labelEs.length > LABEL_MAX) errors.labelEs = "sov.type.error.label";
  if (!METRIC_UNIT.test(unit)) errors.unit = "sov.type.error.unit";
  if (!SHARED_CATEGORIES.some((c) => c.slug === values.category)) errors.category = "sov.type.error.category";
  if (!(INSTITUTIONS as readonly string[]).includes(values.replaces ?? "")) errors.replaces = "sov.type.error.replaces";
  const weight = parseMilli(values.weight ?? "");
  if (weight === null) errors.weight = "sov.type.error.weight";
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      slug,
      labelEn,
      labelEs,
      unit,
      category: values.category!,
      replaces: values.replaces as Institution,
      defaultWeightMilli: weight!,
    },
    errors,
  };
}
