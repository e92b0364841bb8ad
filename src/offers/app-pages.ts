import type { Category } from "../categories/service.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import { offerPath } from "./activitypub.ts";
import { formatMilli } from "./quantity.ts";
import type { Offer, OfferKind } from "./service.ts";

export function offersListPage(ctx: PageContext, rows: Offer[], published?: Offer): Page {
  const { t } = ctx;
  return {
    title: t("offers.title"),
    body: html`${published &&
      html`<${Notice} kind="ok"
        >${t("offers.published")} <a href=${offerPath(published)}>${t("offers.view")}</a><//
      >`}
      <p class="actions">
        <a class="button" href="/app/offers/new?kind=offer">${t("offers.new")}</a>
        <a class="button" href="/app/offers/new?kind=need">${t("offers.newNeed")}</a>
      </p>
      ${rows.length === 0 && html`<p>${t("offers.none")}</p>`}
      <ul class="cards">
        ${rows.map(
          (row) => html`<li>
            <p><a href=${offerPath(row)}><strong>${row.name}</strong></a></p>
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

export function newOfferPage(ctx: PageContext, kind: OfferKind, categories: Category[], state: OfferFormState): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const field = (name: string, label: Parameters<typeof t>[0], extra: Record<string, unknown> = {}) =>
    html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${values[name]} errors=${errors} ...${extra} />`;
  return {
    title: t(`offers.newTitle.${kind}`),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t(`offers.intro.${kind}`)}</p>
      <form method="post" action="/app/offers" class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="kind" value=${kind} />
        ${field("name", "offers.name", { required: true })}
        ${field("description", "offers.description", { multiline: true })}
        <div class=${errors?.category ? "field invalid" : "field"}>
          <label for="f-category">${t("offers.category")}</label>
          <select id="f-category" name="category" required aria-invalid=${errors?.category ? "true" : undefined}>
            ${categories.map(
              (category) =>
                html`<option value=${category.slug} selected=${values.category === category.slug}>${category.label}</option>`,
            )}
          </select>
        </div>
        <div class="row">
          ${field("quantity", "offers.quantity", { required: true, inputmode: "decimal" })}
          ${field("unit", "offers.unit", { required: true })}
        </div>
        ${field("area", "offers.area", { required: true })}
        ${field("availableUntil", "offers.until", { type: "datetime-local" })}
        ${field("conditions", "offers.conditions", { multiline: true })}
        <button type="submit">${t("offers.publish")}</button>
      </form>`,
  };
}
