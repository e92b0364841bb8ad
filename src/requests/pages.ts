import type { PublicContext, PublicPage } from "../web/layout.ts";
import { Field, html } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import { REQUEST_LIMITS } from "./service.ts";

/** Form values and, after a refused submit, the message key of each field's error. */
export interface RequestForm {
  values: Record<string, string>;
  errors?: Partial<Record<string, MessageKey>>;
}

/** What the form is about: its title, a line saying what it is, and whether a quantity applies. */
export interface RequestTarget {
  kind: "offer" | "need" | "service";
  name: string;
  /** The public page it came from. */
  back: string;
  /** The unit a quantity is counted in; null when no quantity applies. */
  unit: string | null;
  /** What is left to ask for (an offer's available quantity, in thousandths); null when there is no bound. */
  availableMilli: number | null;
}

const TITLES: Record<RequestTarget["kind"], MessageKey> = {
  offer: "site.request.askTitle",
  need: "site.request.helpTitle",
  service: "site.request.helpTitle",
};

/** The short form a neighbor without an account fills in to ask for an offer or to offer help. */
export function requestFormPage(ctx: PublicContext, target: RequestTarget, form: RequestForm): PublicPage {
  const { t } = ctx;
  return {
    title: t(TITLES[target.kind], { name: target.name }),
    status: form.errors ? 400 : 200,
    body: html`${form.errors && html`<p class="notice error" role="alert">${t("error.form")}</p>`}
      <p>${t("site.request.intro")}</p>
      <p><a href=${target.back}>${t("site.request.back", { name: target.name })}</a></p>
      <form method="post" class="stack" novalidate>
        <${Field}
          ctx=${ctx}
          name="name"
          value=${form.values.name ?? ""}
          errors=${form.errors}
          label=${t("site.request.name")}
          max=${REQUEST_LIMITS.name}
          autocomplete="name"
          required
        />
        <${Field}
          ctx=${ctx}
          name="contact"
          value=${form.values.contact ?? ""}
          errors=${form.errors}
          label=${t("site.request.contact")}
          hint=${t("site.request.contactHint")}
          max=${REQUEST_LIMITS.contact}
          required
        />
        ${
          target.unit !== null &&
          html`<${Field}
            ctx=${ctx}
            name="quantity"
            value=${form.values.quantity ?? ""}
            errors=${form.errors}
            label=${t("site.request.quantity", { unit: target.unit })}
            inputmode="decimal"
          />`
        }
        <${Field}
          ctx=${ctx}
          name="message"
          value=${form.values.message ?? ""}
          errors=${form.errors}
          label=${t("site.request.message")}
          max=${REQUEST_LIMITS.message}
          multiline
        />
        <div class="honey" aria-hidden="true">
          <label for="f-website">${t("site.request.honeypot")}</label>
          <input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off" value="" />
        </div>
        <p class="hint">${t("site.request.private")}</p>
        <p><button type="submit">${t("site.request.send")}</button></p>
      </form>`,
  };
}

/** After sending: what happens next. */
export function requestSentPage(ctx: PublicContext): PublicPage {
  const { t } = ctx;
  return {
    title: t("site.request.sentTitle"),
    body: html`<p class="notice ok" role="status">${t("site.request.sent")}</p>
      <p>${t("site.request.next")}</p>
      <p>${t("site.request.kept")}</p>
      <p><a href="/">${t("site.request.home")}</a></p>`,
  };
}
