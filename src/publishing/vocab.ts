import { Article, Create, Update } from "@fedify/vocab";

/**
 * Terms our objects use beyond what Fedify's activity context defines: FEP-0837 (ValueFlows and OM2)
 * and schema.org PropertyValue. All inline, so no receiver has to fetch a context of ours.
 */
const POD_TERMS = {
  vf: "https://w3id.org/valueflows/ont/vf#",
  om2: "http://www.ontology-of-units-of-measure.org/resource/om-2/",
  schema: "http://schema.org#",
  toot: "http://joinmastodon.org/ns#",
  Proposal: "vf:Proposal",
  Intent: "vf:Intent",
  purpose: "vf:purpose",
  unitBased: "vf:unitBased",
  publishes: "vf:publishes",
  reciprocal: "vf:reciprocal",
  action: "vf:action",
  resourceConformsTo: { "@id": "vf:resourceConformsTo", "@type": "@id" },
  resourceQuantity: "vf:resourceQuantity",
  availableQuantity: "vf:availableQuantity",
  minimumQuantity: "vf:minimumQuantity",
  Measure: "om2:Measure",
  hasUnit: "om2:hasUnit",
  hasNumericalValue: { "@id": "om2:hasNumericalValue", "@type": "http://www.w3.org/2001/XMLSchema#decimal" },
  PropertyValue: "schema:PropertyValue",
  value: "schema:value",
  Hashtag: "as:Hashtag",
  sensitive: "as:sensitive",
};

export const POD_CONTEXT = [
  "https://w3id.org/identity/v1",
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/data-integrity/v1",
  POD_TERMS,
];

type ToJsonLdOptions = NonNullable<Parameters<Create["toJsonLd"]>[0]>;

/** Fedify compacts an activity with its own fixed context, so embedded Proposals would leave with
 * full IRIs as their types; these subclasses compact with a context that knows our terms instead. */
const withPodContext = (options: ToJsonLdOptions = {}): ToJsonLdOptions =>
  options.format !== "expand" && options.context === undefined
    ? { ...options, format: "compact", context: POD_CONTEXT as unknown as ToJsonLdOptions["context"] }
    : options;

export class PodCreate extends Create {
  override toJsonLd(options?: ToJsonLdOptions) {
    return super.toJsonLd(withPodContext(options));
  }
}

export class PodUpdate extends Update {
  override toJsonLd(options?: ToJsonLdOptions) {
    return super.toJsonLd(withPodContext(options));
  }
}

export class PodArticle extends Article {
  override toJsonLd(options?: ToJsonLdOptions) {
    return super.toJsonLd(withPodContext(options));
  }
}
