import { categoryName } from "./names.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { Category } from "./service.ts";

export interface CategoriesPageState {
  categories: Category[];
  notice?: MessageKey;
  values?: Record<string, string>;
  errors?: FieldErrors;
  /** A rename that failed: the category's slug and its error. */
  renameError?: { slug: string; error: MessageKey };
}

/** The shared taxonomy and the pod's own categories: add one, rename one. */
export function categoriesPage(ctx: PageContext, state: CategoriesPageState): Page {
  const { t } = ctx;
  const { values = {}, errors } = state;
  const own = state.categories.filter((c) => !c.shared);
  const shared = state.categories.filter((c) => c.shared);
  const failed = errors || state.renameError;
  return {
    title: t("categories.title"),
    status: failed ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(state.notice)}<//>`}
      ${failed && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("categories.intro")}</p>
      <section aria-labelledby="own">
        <h2 id="own">${t("categories.own")}</h2>
        ${own.length === 0 && html`<p>${t("categories.none")}</p>`}
        <ul class="cards">
          ${own.map((category) => {
            const id = `rename-${category.slug}`;
            const error = state.renameError?.slug === category.slug ? state.renameError.error : undefined;
            return html`<li>
              <form method="post" action=${`/app/categories/${category.slug}`} class="stack">
                <${Csrf} ctx=${ctx} />
                <p><strong>${category.label}</strong> · <code>${category.slug}</code></p>
                <div class=${error ? "field invalid" : "field"}>
                  <label for=${id}>${t("categories.renameLabel", { slug: category.slug })}</label>
                  <input
                    id=${id} name="label" value=${category.label} required maxlength="80"
                    aria-invalid=${error ? "true" : undefined} aria-describedby=${error ? `${id}-error` : undefined}
                  />
                  ${error && html`<p class="error" id=${`${id}-error`}>${t(error)}</p>`}
                </div>
                <button type="submit" class="secondary">${t("categories.rename")}</button>
              </form>
            </li>`;
          })}
        </ul>
      </section>
      <section aria-labelledby="add">
        <h2 id="add">${t("categories.add")}</h2>
        <form method="post" action="/app/categories" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx} name="slug" label=${t("categories.slug")} hint=${t("categories.slugHint")} value=${values.slug}
            errors=${errors} required
          />
          <${Field}
            ctx=${ctx} name="label" label=${t("categories.label")} value=${values.label} errors=${errors} required
          />
          <${Field}
            ctx=${ctx} name="description" label=${t("categories.description")} value=${values.description}
            errors=${errors} multiline
          />
          <button type="submit">${t("categories.addSubmit")}</button>
        </form>
      </section>
      <section aria-labelledby="shared">
        <h2 id="shared">${t("categories.shared")}</h2>
        <ul class="facts">
          ${shared.map((c) => html`<li>${categoryName(t, c)} · <code>${c.slug}</code></li>`)}
        </ul>
      </section>`,
  };
}
