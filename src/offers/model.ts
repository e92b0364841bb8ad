import { z } from "zod";
import type { claims, offers } from "./schema.ts";
import { OFFER_STATUSES } from "./status.ts";
import { quantitySchema } from "./quantity.ts";

const isoDateTime = z.iso.datetime({
  offset: true,
  error: "must be an ISO 8601 date-time such as 2026-12-01T18:00:00Z",
});

export const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a language tag such as en or es-MX");

export const areaSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(120),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
  })
  .strict()
  .refine((a) => (a.latitude === undefined) === (a.longitude === undefined), {
    message: "latitude and longitude go together",
    path: ["latitude"],
  });

/** Fields of an offer or need as the operator writes them. No defaults here: PATCH must not reset fields. */
const offerFields = {
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().trim().max(5000),
  category: z.string().min(1, "must not be empty").max(40),
  quantity: quantitySchema,
  unit: z.string().trim().min(1, "must not be empty").max(40),
  availableFrom: isoDateTime.nullable(),
  availableUntil: isoDateTime.nullable(),
  area: areaSchema,
  conditions: z.string().trim().max(2000),
  language: languageTag,
};

const untilAfterFrom = (value: { availableFrom?: string | null; availableUntil?: string | null }) =>
  !value.availableFrom || !value.availableUntil || Date.parse(value.availableUntil) > Date.parse(value.availableFrom);
const UNTIL_AFTER_FROM = { message: "must be after availableFrom", path: ["availableUntil"] };

export const offerInputSchema = z
  .object({
    ...offerFields,
    description: offerFields.description.optional(),
    availableFrom: offerFields.availableFrom.optional(),
    availableUntil: offerFields.availableUntil.optional(),
    conditions: offerFields.conditions.optional(),
    language: offerFields.language.optional(),
  })
  .strict()
  .refine(untilAfterFrom, UNTIL_AFTER_FROM);

export const offerPatchSchema = z.object(offerFields).partial().strict().refine(untilAfterFrom, UNTIL_AFTER_FROM);

export const claimInputSchema = z
  .object({
    /** Who claimed: kept on this pod only, never published or federated. */
    neighbor: z.string().trim().min(1, "must not be empty").max(120),
    quantity: quantitySchema,
    note: z.string().trim().max(1000).optional(),
  })
  .strict();

export const offerListQuery = z.object({
  status: z.enum(OFFER_STATUSES).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type OfferInput = z.infer<typeof offerInputSchema>;
export type OfferPatch = z.infer<typeof offerPatchSchema>;
export type ClaimInput = z.infer<typeof claimInputSchema>;

export type Offer = typeof offers.$inferSelect;
export type OfferKind = Offer["kind"];
export type OfferStatus = Offer["status"];
export type Claim = typeof claims.$inferSelect;
