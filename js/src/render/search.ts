/**
 * Search and filter of one view (not synced): the toolbar controls and the result, computed over
 * the store (the whole thread), never over the DOM. The view shows the result in a tree of its
 * own (render/view.ts) and brings the normal tree back when the search is cleared.
 */
import type { Comment } from "../protocol";
import type { ThreadStore } from "../state";
import type { Fmt } from "../strings";
import { button, h } from "./dom";
import type { SearchResult } from "./tree";

/** Search box debounce (ms). */
export const SEARCH_DEBOUNCE_MS = 150;

export type Filter = "all" | "mine" | "op" | "edited" | "liked";
const FILTERS: Filter[] = ["all", "mine", "op", "edited", "liked"];

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
const BLOCK_TAG = /<\/?(?:p|br|li|ul|ol|div|h[1-6]|blockquote|pre|tr|td|th|hr)\b[^>]*>/gi;

/** The text of rendered HTML (the page keeps only the html of comments it cannot edit): tags out, entities decoded. */
export function htmlText(html: string): string {
  return html
    .replace(BLOCK_TAG, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] !== "#") return ENTITIES[e.toLowerCase()] ?? m;
      const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    });
}

/** Lower-cased text of a comment (its text as shown, and author), cached per comment object. */
const lowered = new WeakMap<Comment, string>();
function textOf(c: Comment): string {
  let s = lowered.get(c);
  if (s === undefined) {
    const text = typeof c.html === "string" ? htmlText(c.html) : c.body;
    s = `${text.toLowerCase()}\u0000${c.author.toLowerCase()}`;
    lowered.set(c, s);
  }
  return s;
}

export class SearchBox {
  readonly input: HTMLInputElement;
  readonly clearBtn: HTMLButtonElement;
  readonly filterEl: HTMLSelectElement;
  readonly matchesEl: HTMLElement;
  readonly box: HTMLElement;
  /** lower-cased query and filter */
  query = "";
  filter: Filter = "all";
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
    this.input = h("input", {
      type: "search",
      class: "tw-search",
      "data-role": "search",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.input.addEventListener("input", () => {
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.setQuery(this.input.value);
      }, SEARCH_DEBOUNCE_MS);
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || this.input.value === "") return;
      e.preventDefault();
      e.stopPropagation();
      this.input.value = "";
      this.setQuery("");
    });
    this.clearBtn = button("clear-search", "", "×", { hidden: true });
    this.clearBtn.addEventListener("click", () => {
      this.clear();
      this.input.focus();
    });
    this.filterEl = h("select", { class: "tw-sort tw-filter", "data-role": "filter" });
    for (const v of FILTERS) this.filterEl.append(h("option", { value: v }));
    this.filterEl.addEventListener("change", () => {
      this.filter = FILTERS.find((v) => v === this.filterEl.value) ?? "all";
      this.#onChange();
    });
    this.matchesEl = h("span", {
      class: "tw-matches",
      "data-role": "search-count",
      "aria-live": "polite",
      hidden: true,
    });
    this.box = h("span", { class: "tw-search-box", role: "search" }, this.input, this.clearBtn);
  }

  /** A search or a filter is set. */
  get on(): boolean {
    return this.query !== "" || this.filter !== "all";
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  setQuery(text: string): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.query = text.trim().toLowerCase();
    this.#onChange();
  }

  /** Clear the search box and the filter. */
  clear(): void {
    this.input.value = "";
    this.filterEl.value = "all";
    this.filter = "all";
    this.setQuery("");
  }

  relabel(f: Fmt): void {
    this.input.setAttribute("aria-label", f.t("search_label"));
    this.input.placeholder = f.t("search_placeholder");
    this.clearBtn.setAttribute("aria-label", f.t("clear_search"));
    this.filterEl.setAttribute("aria-label", f.t("filter_label"));
    for (const opt of Array.from(this.filterEl.options)) opt.textContent = f.t(`filter_${opt.value}`);
  }

  /** The match count and the clear button (shown while a search is active). */
  show(result: SearchResult | null, f: Fmt): void {
    const on = result !== null;
    this.clearBtn.hidden = !on;
    this.matchesEl.hidden = !on;
    this.matchesEl.textContent = result ? f.count("matches", result.matches.size) : "";
  }

  /**
   * O(n) over the store, not the DOM: the comments that pass the filter and contain the query
   * (body source or author, case-insensitive), and their ancestors (`parentOf`: as the layout shows them).
   */
  compute(store: ThreadStore, parentOf = (id: string) => store.parentOf(id)): SearchResult {
    const q = this.query;
    const f = this.filter;
    const user = store.user;
    const op = store.post?.author ?? null;
    const matches = new Set<string>();
    const test = (id: string, c: Comment | undefined): void => {
      if (!c || c.status !== "visible") return;
      if (f === "mine" && (user === "" || c.author !== user)) return;
      if (f === "op" && c.author !== op) return;
      if (f === "edited" && !c.edited_at) return;
      if (f === "liked" && (user === "" || !c.liked_by.includes(user))) return;
      if (q && !textOf(c).includes(q)) return;
      matches.add(id);
    };
    const pending = store.pending.size > 0;
    for (const [id, c] of store.mirror.comments) test(id, pending ? store.display(id) : c);
    for (const p of store.pending.values()) {
      if (p.op.type === "add" && !store.mirror.comments.has(p.op.id)) test(p.op.id, store.display(p.op.id));
    }
    const visible = new Set<string>();
    for (const id of matches) {
      let p: string | null = id;
      while (p !== null && !visible.has(p)) {
        visible.add(p);
        p = parentOf(p); // the layout's parent: the context a match is shown with
      }
    }
    return { matches, visible, query: q };
  }
}
