/**
 * "Why this order?" (per view, off by default): a toolbar toggle, a note above the list that
 * explains the current sort, and on every card a line with its rank among its siblings and its
 * score's inputs and formula (ranking.ts). Ranks are computed once per parent per change.
 */
import type { Sort } from "../protocol";
import { formulaText, upDown } from "../ranking";
import type { ThreadStore } from "../state";
import { ROOT } from "../state";
import type { Fmt } from "../strings";
import { button, h } from "./dom";
import type { Shape } from "./layout";

export interface WhyHost {
  /** the store the view draws (the live one, or a replay) */
  store(): ThreadStore;
  /** the order the view shows */
  sort(): Sort;
  /** the layout the view draws the store in (ranks are among display siblings) */
  shape(): Shape;
  fmt(): Fmt;
  /** the rendered cards, to add or remove their lines */
  cards(): Iterable<{ id: string; card: HTMLElement }>;
  /** the card of a rendered comment */
  card(id: string): HTMLElement | undefined;
}

export class WhyOrder {
  readonly toggle: HTMLButtonElement;
  /** the explanation of the current sort, above the list */
  readonly note: HTMLElement;
  #host: WhyHost;
  #on = false;
  /** some card may carry a line (turning off must remove them) */
  #drawn = false;
  /** parent -> (child id -> rank), for the current sort and thread; cleared on every change */
  #ranks = new Map<string, Map<string, number>>();

  constructor(host: WhyHost) {
    this.#host = host;
    this.toggle = button("why-order", "", "", { "aria-pressed": "false", "data-role": "why-toggle" });
    this.toggle.addEventListener("click", () => this.setOn(!this.#on));
    this.note = h("p", { class: "tw-why-note", "data-role": "why-note", role: "note", hidden: true });
    this.relabel();
  }

  get on(): boolean {
    return this.#on;
  }

  setOn(on: boolean): void {
    this.#on = on;
    this.toggle.setAttribute("aria-pressed", on ? "true" : "false");
    this.note.hidden = !on;
    this.invalidate();
    this.relabel();
    this.redraw();
  }

  /** Strings or the sort changed: the button and the note again. */
  relabel(): void {
    const f = this.#host.fmt();
    this.toggle.textContent = f.t("rank_why");
    this.toggle.title = f.t("rank_why_title");
    this.toggle.setAttribute("aria-label", f.t("rank_why")); // the visible text is the name
    if (this.#on) this.note.textContent = `${f.t(`rank_explain_${this.#host.sort()}`)} ${f.t("rank_explain_ties")}`;
  }

  /** The thread, the sort or the voting model changed: ranks are recomputed when next needed. */
  invalidate(): void {
    this.#ranks.clear();
  }

  /** Every rendered card's line again (after a sort switch that moved nodes without redrawing them). */
  redraw(): void {
    if (!this.#on && !this.#drawn) return;
    this.#drawn = this.#on;
    for (const { id, card } of this.#host.cards()) this.decorate(card, id);
  }

  /** Comments changed: their siblings' ranks may have moved, so their lines are redrawn. */
  changed(ids: Iterable<string>): void {
    if (!this.#on) return;
    const shape = this.#host.shape();
    const parents = new Set<string>();
    for (const id of ids) parents.add(shape.parentOf(id) ?? ROOT);
    for (const p of parents) {
      for (const k of shape.childIds(p)) {
        const card = this.#host.card(k);
        if (card) this.decorate(card, k);
      }
    }
  }

  /** Add, replace or remove the why line of a card that was just rendered. */
  decorate(card: HTMLElement, id: string): void {
    card.querySelector(".tw-why")?.remove();
    if (!this.#on) return;
    const store = this.#host.store();
    const c = store.display(id);
    if (!c) return;
    this.#drawn = true;
    const f = this.#host.fmt();
    const shape = this.#host.shape();
    const parent = shape.parentOf(id) ?? ROOT;
    // two-level shows a top-level comment's replies oldest first, whatever the sort
    const sort = shape.sortOf(parent, this.#host.sort());
    let ranks = this.#ranks.get(parent);
    if (!ranks) {
      ranks = new Map(shape.sortedChildren(parent, sort).map((k, i) => [k, i + 1]));
      this.#ranks.set(parent, ranks);
    }
    const key = store.rankKey(id, c, sort);
    const kind = store.ranker.kind;
    const [up, down] = upDown(c, kind);
    const parts = [
      h(
        "span",
        { class: "tw-why-rank", "data-role": "why-rank" },
        f.t("rank_position", { rank: ranks.get(id) ?? 0, total: ranks.size }),
      ),
      c.pinned ? h("span", { class: "tw-why-pinned" }, f.t("rank_pinned")) : null,
      h(
        "span",
        { class: "tw-why-formula", "data-role": "why-formula" },
        formulaText(f, sort, kind, up, down, key.t, store.ranker.hotNow, key.score),
      ),
    ].filter((x) => x !== null);
    const line = h("p", { class: "tw-why", "data-role": "why" });
    parts.forEach((part, i) => {
      if (i) line.append(h("span", { class: "tw-dot", "aria-hidden": "true" }, " · "));
      line.append(part);
    });
    const meta = card.querySelector(".tw-meta");
    if (meta) meta.after(line);
    else (card.querySelector(".tw-main") ?? card).prepend(line);
  }
}
