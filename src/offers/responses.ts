import type { Config } from "../config/schema.ts";
import { offerNoteIri } from "../publishing/iris.ts";
import type { Response } from "../publishing/response.ts";
import { OFFER_KINDS } from "./schema.ts";
import type { Offer, OffersService } from "./service.ts";

export interface OfferResponse {
  offer: Pick<Offer, "id" | "kind" | "name">;
  response: Response;
}

/** Replies people sent to the pod's offers and needs since `since`, newest first (the dashboard's list). */
export async function recentResponses(
  offers: OffersService,
  responsesTo: (iri: string, publicOnly: boolean) => Promise<Response[]>,
  config: Config,
  since: Date,
  limit: number,
): Promise<OfferResponse[]> {
  const after = since.toISOString();
  const rows = await Promise.all(OFFER_KINDS.map((kind) => offers.list(kind, { limit: 100 })));
  const found: OfferResponse[] = [];
  for (const offer of rows.flat().filter((offer) => offer.status !== "withdrawn"))
    for (const response of await responsesTo(offerNoteIri(config, offer).href, false))
      if (response.published >= after)
        found.push({ offer: { id: offer.id, kind: offer.kind, name: offer.name }, response });
  return found.sort((a, b) => (a.response.published < b.response.published ? 1 : -1)).slice(0, limit);
}
