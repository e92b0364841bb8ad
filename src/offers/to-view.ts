import type { Category } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import { proposalRecord, type ViewRecord } from "../confederation/from-as.ts";
import { actorIri, offerIri } from "../publishing/iris.ts";
import { escapeHtml } from "../web/html.ts";
import type { Offer } from "./model.ts";
import { formatMilli } from "./quantity.ts";
import { offerAction, offerContent, offerSummary } from "./to-as.ts";

/**
 * This pod's offer or need as a view item: the values its Proposal carries (to-as.ts), read by the same
 * record builder as a neighbor's Proposal (confederation/from-as.ts), so both are the same item.
 */
export function offerViewRecord(config: Config, row: Offer, category: Category): ViewRecord {
  const iri = offerIri(config, row).href;
  const amount = (milli: number) => ({ unit: row.unit, value: formatMilli(milli) });
  return proposalRecord(
    {
      iri,
      name: row.name,
      summary: escapeHtml(offerSummary(row)),
      content: offerContent(row),
      url: iri,
      startTime: row.availableFrom,
      endTime: row.availableUntil,
      published: row.createdAt,
      updated: row.updatedAt === row.createdAt ? null : row.updatedAt,
      purpose: row.kind === "offer" ? "offer" : "request",
      action: offerAction(category),
      categoryIri: category.iri,
      resourceQuantity: amount(row.quantityMilli),
      availableQuantity: amount(row.availableMilli),
      place: { name: row.areaName, latitude: row.latitude, longitude: row.longitude },
    },
    actorIri(config).href,
  );
}
