import { Article, Create, Update } from "@fedify/vocab";
import { POD_CONTEXT } from "../publishing/vocab.ts";

/**
 * Terms of the report's structured figures, beyond the pods' context (publishing/vocab.ts): ValueFlows'
 * EconomicEvent with effortQuantity and its period (hasBeginning/hasEnd), and two terms of the pods'
 * namespace: the month label in the reporting pod's time zone, and "fewer than" for suppressed small counts.
 * Inline, like the offers' ValueFlows terms, so a receiver fetches no context. See docs/vocabulary.md.
 */
export const REPORT_TERMS = {
  pods: "https://w3id.org/pods/ns#",
  EconomicEvent: "vf:EconomicEvent",
  effortQuantity: "vf:effortQuantity",
  provider: { "@id": "vf:provider", "@type": "@id" },
  hasBeginning: { "@id": "vf:hasBeginning", "@type": "http://www.w3.org/2001/XMLSchema#dateTime" },
  hasEnd: { "@id": "vf:hasEnd", "@type": "http://www.w3.org/2001/XMLSchema#dateTime" },
  period: "pods:period",
  fewerThan: { "@id": "pods:fewerThan", "@type": "http://www.w3.org/2001/XMLSchema#integer" },
} as const;

const podTerms = POD_CONTEXT.at(-1) as Record<string, unknown>;
export const REPORT_CONTEXT = [...POD_CONTEXT.slice(0, -1), { ...podTerms, ...REPORT_TERMS }];

/** One structured figure as it travels (compact JSON of REPORT_CONTEXT). */
export interface WireFigure {
  type: "EconomicEvent";
  action: string;
  provider: string;
  resourceConformsTo: string;
  resourceQuantity?: { type: "Measure"; hasUnit: string; hasNumericalValue: string };
  effortQuantity?: { type: "Measure"; hasUnit: "hour"; hasNumericalValue: string };
  fewerThan?: number;
  hasBeginning: string;
  hasEnd: string;
  period: string;
}

type ToJsonLdOptions = NonNullable<Parameters<Create["toJsonLd"]>[0]>;
type Json = Record<string, unknown>;

const compactOptions = (options: ToJsonLdOptions = {}): ToJsonLdOptions | null =>
  options.format !== "expand" && options.context === undefined
    ? { ...options, format: "compact", context: REPORT_CONTEXT as unknown as ToJsonLdOptions["context"] }
    : null;

/** The figures go in the Article's `attachment`, after what Fedify wrote there (the period PropertyValue). */
function withFigures(article: Json, figures: WireFigure[]): Json {
  const before = article.attachment === undefined ? [] : [article.attachment].flat();
  return { ...article, attachment: [...before, ...figures] };
}

/**
 * The figures of each report Article, by its id. Fedify's classes carry no ValueFlows EconomicEvent, an
 * embedded object is compacted by its activity (its own toJsonLd is not called), and Fedify clones an
 * activity (through its constructor) before it serialises it for the queue: so the figures cannot ride on
 * the instance. The Article and the activities that carry it look them up by the Article's id and add them
 * to their compact JSON, with the context that defines them. The expanded form is left as Fedify makes it.
 */
const FIGURES = new Map<string, WireFigure[]>();
/** Bounded: a pod publishes about one report a month; corrections replace their entry. */
const FIGURES_KEPT = 500;

export function setFigures(articleId: URL, figures: WireFigure[]): void {
  FIGURES.delete(articleId.href);
  FIGURES.set(articleId.href, figures);
  if (FIGURES.size > FIGURES_KEPT) FIGURES.delete(FIGURES.keys().next().value!);
}

const figuresOf = (id: URL | null | undefined) => (id ? (FIGURES.get(id.href) ?? []) : []);

export class ReportArticle extends Article {
  override async toJsonLd(options?: ToJsonLdOptions) {
    const compact = compactOptions(options);
    if (!compact) return super.toJsonLd(options);
    return withFigures((await super.toJsonLd(compact)) as Json, figuresOf(this.id));
  }
}

async function activityWithFigures(json: Promise<unknown>, objectId: URL | null) {
  const activity = (await json) as Json;
  return { ...activity, object: withFigures(activity.object as Json, figuresOf(objectId)) };
}

export class ReportCreate extends Create {
  override toJsonLd(options?: ToJsonLdOptions) {
    const compact = compactOptions(options);
    return compact ? activityWithFigures(super.toJsonLd(compact), this.objectId) : super.toJsonLd(options);
  }
}

export class ReportUpdate extends Update {
  override toJsonLd(options?: ToJsonLdOptions) {
    const compact = compactOptions(options);
    return compact ? activityWithFigures(super.toJsonLd(compact), this.objectId) : super.toJsonLd(options);
  }
}
