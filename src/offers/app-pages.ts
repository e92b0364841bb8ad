import { categoryName } from "../categories/names.ts";
import type { Category } from "../categories/service.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import { offerPath } from "../publishing/iris.ts";
import { formatMilli } from "./quantity.ts";
import type { Response } from "../publishing/response.ts";
import { htmlToText, SAFE_HREF } from "../web/sanitize.ts";
import type { Claim, Offer, OfferKind } from "./service.ts";

/** A just-published offer, and who it reaches: a pod nobody follows yet says how to be followed. */
export interface PublishedOffer {
  offer: Offer;
  followers: number;
  /** The pod's address people follow it by (@handle@host). */
  handle: string;
}

/** Who a new offer reaches: its followers, or nobody yet (then the address to share). */
const publishedNotice = ({ t }: PageContext, { followers, handle }: PublishedOffer) =>
  followers > 0 ? t("offers.published") : t("offers.publishedNoFollowers", { handle });

export function offersListPage(ctx: PageContext, rows: Offer[], published?: PublishedOffer): Page {
  const { t } = ctx;
  return {
    title: t("offers.title"),
    body: html`${
      published &&
      html`<${Notice} kind="ok"
        >${publishedNotice(ctx, published)} <a href=${offerPath(published.offer)}>${t("offers.view")}</a><//
      >`
    }
      <p class="actions">
        <a class="button" href="/app/offers/new?kind=offer">${t("offers.new")}</a>
        <a class="button" href="/app/offers/new?kind=need">${t("offers.newNeed")}</a>
      </p>
      ${rows.length === 0 && html`<p>${t("offers.none")}</p>`}
      <ul class="cards">
        ${rows.map(
          (row) => html`<li>
            <p><a href=${`/app/offers/${row.kind}/${row.id}`}><strong>${row.name}</strong></a></p>
            <p class="hint">
              ${[
                t(`offers.kind.${row.kind}`),
                `${formatMilli(row.availableMilli)} / ${formatMilli(row.quantityMilli)} ${row.unit}`,
                t(`offers.status.${row.status}`),
                row.areaName,
              ].join(" · ")}
            </p>
          </li>`,
        )}
      </ul>`,
  };
}

export interface OfferFormState {
  values: Record<string, string>;
  errors?: FieldErrors;
}

/** An area the pod has already used, with its coarse point (two decimals) when it has one. */
export interface KnownArea {
  name: string;
  latitude: number | null;
  longitude: number | null;
}

/** What the form is for: publishing a new offer or need, or changing one already published. */
export type OfferFormTarget = { kind: OfferKind; offer?: Offer };

export const pointText = (area: Pick<KnownArea, "latitude" | "longitude">) =>
  area.latitude === null || area.longitude === null ? "" : `${area.latitude}, ${area.longitude}`;

/** The area picker: an area the pod used before (its coarse point comes with it), or a new one. */
function AreaPicker({ ctx, areas, state }: { ctx: PageContext; areas: KnownArea[]; state: OfferFormState }) {
  const { t } = ctx;
  const { values, errors } = state;
  return html`<fieldset class="stack">
    <legend>${t("content.area.legend")}</legend>
    ${
      areas.length > 0 &&
      html`<div class="field">
        <label for="f-place">${t("content.area.known")}</label>
        <select id="f-place" name="place">
          <option value="">${t("content.area.other")}</option>
          ${areas.map(
            (area) =>
              html`<option value=${area.name} selected=${values.place === area.name}>
                ${area.latitude === null ? area.name : `${area.name} (${pointText(area)})`}
              </option>`,
          )}
        </select>
      </div>`
    }
    <${Field}
      ctx=${ctx} name="area" label=${t(areas.length > 0 ? "content.area.newName" : "offers.area")}
      value=${values.area} errors=${errors}
    />
    <${Field}
      ctx=${ctx} name="point" label=${t("content.area.point")} hint=${t("content.area.pointHint")}
      value=${values.point} errors=${errors} inputmode="decimal"
    />
  </fieldset>`;
}

/** The form of an offer or need: empty to publish a new one, filled to change one (followers get an Update). */
export function offerFormPage(
  ctx: PageContext,
  target: OfferFormTarget,
  categories: Category[],
  areas: KnownArea[],
  state: OfferFormState,
): Page {
  const { t } = ctx;
  const { kind, offer } = target;
  const { values, errors } = state;
  const field = (name: string, label: Parameters<typeof t>[0], extra: Record<string, unknown> = {}) =>
    html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${values[name]} errors=${errors} ...${extra} />`;
  const action = offer ? `/app/offers/${offer.kind}/${offer.id}/edit` : "/app/offers";
  return {
    title: offer ? t("content.offer.editTitle", { name: offer.name }) : t(`offers.newTitle.${kind}`),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${offer ? t("content.offer.editIntro") : t(`offers.intro.${kind}`)}</p>
      <form method="post" action=${action} class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="kind" value=${kind} />
        ${field("name", "offers.name", { required: true })}
        ${field("description", "offers.description", { multiline: true })}
        <div class=${errors?.category ? "field invalid" : "field"}>
          <label for="f-category">${t("offers.category")}</label>
          <select id="f-category" name="category" required aria-invalid=${errors?.category ? "true" : undefined}>
            ${categories.map(
              (category) =>
                html`<option value=${category.slug} selected=${values.category === category.slug}>
                  ${categoryName(t, category)}
                </option>`,
            )}
          </select>
        </div>
        <div class="row">
          ${field("quantity", "offers.quantity", { required: true, inputmode: "decimal" })}
          ${field("unit", "offers.unit", { required: true })}
        </div>
        <${AreaPicker} ctx=${ctx} areas=${areas} state=${state} />
        ${field("availableUntil", "offers.until", { type: "datetime-local" })}
        ${field("conditions", "offers.conditions", { multiline: true })}
        <button type="submit">${offer ? t("content.offer.save") : t("offers.publish")}</button>
      </form>`,
  };
}

export interface OfferPageState {
  offer: Offer;
  claims: Claim[];
  notice?: "claimed" | "withdrawn" | "saved";
  /** Replies from people on other servers to the offer's post (every visibility: coordinators read them all). */
  responses: Response[];
  values?: Record<string, string>;
  errors?: FieldErrors;
}

/** One offer or need for its coordinators: what is left, the private claims, recording one, withdrawing. */
export function offerPage(ctx: PageContext, state: OfferPageState): Page {
  const { t } = ctx;
  const { offer, claims, errors } = state;
  const path = `/app/offers/${offer.kind}/${offer.id}`;
  const left = t("offer.left", {
    left: formatMilli(offer.availableMilli),
    total: formatMilli(offer.quantityMilli),
    unit: offer.unit,
  });
  const active = offer.status !== "withdrawn" && offer.status !== "expired";
  return {
    title: offer.name,
    status: errors ? 400 : 200,
    body: html`${
      state.notice &&
      html`<${Notice} kind="ok">${t(state.notice === "saved" ? "content.offer.saved" : `offer.${state.notice}`)}<//>`
    }
      ${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${[t(`offers.kind.${offer.kind}`), left, t(`offers.status.${offer.status}`), offer.areaName].join(" · ")}</p>
      <p class="actions">
        ${offer.status !== "withdrawn" && html`<a class="button" href=${`${path}/edit`}>${t("content.offer.edit")}</a>`}
        <a class="button secondary" href=${offerPath(offer)}>${t("offers.view")}</a>
      </p>
      <${Responses} ctx=${ctx} responses=${state.responses} />
      <section aria-labelledby="claims">
        <h2 id="claims">${t("offer.claims")}</h2>
        ${claims.length === 0 && html`<p>${t("offer.noClaims")}</p>`}
        <ul class="cards">
          ${claims.map(
            (claim) => html`<li>
              <p><strong>${claim.neighbor}</strong> · ${formatMilli(claim.quantityMilli)} ${offer.unit}</p>
              ${claim.note && html`<p>${claim.note}</p>`}
              <p class="hint">${ctx.time(claim.createdAt)}</p>
            </li>`,
          )}
        </ul>
      </section>
      ${
        active &&
        offer.availableMilli > 0 &&
        html`<section aria-labelledby="record">
        <h2 id="record">${t("offer.recordClaim")}</h2>
        <p class="hint">${t("offer.claimHint")}</p>
        <form method="post" action=${`${path}/claims`} class="stack">
          <${Csrf} ctx=${ctx} />
          <div class="row">
            <${Field}
              ctx=${ctx} name="neighbor" label=${t("offer.neighbor")} value=${state.values?.neighbor} errors=${errors}
              required
            />
            <${Field}
              ctx=${ctx} name="quantity" label=${t("offer.claimQuantity")} value=${state.values?.quantity}
              errors=${errors} required inputmode="decimal"
            />
          </div>
          <${Field} ctx=${ctx} name="note" label=${t("offer.claimNote")} value=${state.values?.note} />
          <button type="submit">${t("offer.claimSubmit")}</button>
        </form>
      </section>`
      }
      ${
        active &&
        html`<section aria-labelledby="withdraw">
        <h2 id="withdraw">${t("offer.withdraw")}</h2>
        <p class="hint">${t("offer.withdrawHint")}</p>
        <form method="post" action=${`${path}/withdraw`}>
          <${Csrf} ctx=${ctx} />
          <button type="submit" class="secondary">${t("offer.withdraw")}</button>
        </form>
      </section>`
      }`,
  };
}

/** Replies to the offer's post from the fediverse; their HTML was sanitised when stored, so it is shown as text. */
function Responses({ ctx, responses }: { ctx: PageContext; responses: Response[] }) {
  const { t } = ctx;
  return html`<section aria-labelledby="responses">
    <h2 id="responses">${t("content.responses.title", { count: responses.length })}</h2>
    ${responses.length === 0 && html`<p>${t("content.responses.none")}</p>`}
    <ul class="cards">
      ${responses.map(
        (response) => html`<li>
          <p><strong>${response.author}</strong> · ${ctx.time(response.published)}</p>
          <p>${htmlToText(response.content)}</p>
          ${
            SAFE_HREF.test(response.url) &&
            html`<p class="hint"><a href=${response.url} rel="nofollow noopener">${t("content.responses.open")}</a></p>`
          }
        </li>`,
      )}
    </ul>
  </section>`;
}
