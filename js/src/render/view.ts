/**
 * One view of a thread: post, toolbar, new-comment composer and the comment tree.
 *
 * Keyed DOM: one record per rendered comment (Map id -> record). A change notification from the
 * store names the comments to refresh; only those cards are rebuilt, and nodes are inserted or
 * removed at their sorted position. The tree is built progressively (depth first, in time-boxed
 * chunks) and collapsed subtrees are built only when expanded. Per-view state (collapsed
 * subtrees, open composers, drafts) lives here and survives every event.
 */
import type { Comment, Config, Op, Sort } from "../protocol";
import { SORTS } from "../protocol";
import type { Change, RejectNotice, ThreadStore } from "../state";
import { ROOT } from "../state";
import { Composer } from "../composer";
import { renderCard } from "./comment";
import { renderPost } from "./post";
import { labelOp } from "./labels";
import { Replay } from "./timeline";
import { WhyOrder } from "./why";
import { CustomActions, changedActionIds } from "./actions";
import { voteOp } from "./votes";
import { ModerationUI, cardLabel } from "./moderation";
import { absoluteTime, button, h, highlight, refocus, refreshTimes } from "./dom";
import { LOST_REASON } from "../protocol";
import type { Fmt } from "../strings";
import { avatarUrl, type Options } from "../options";

/** Visual indentation stops here by default (`options.max_indent`); deeper replies stay at this indent with a thread line. */
export const MAX_INDENT_DEPTH = 6;
/** Top-level threads built synchronously on first render (about a screenful). */
export const FIRST_SCREEN_THREADS = 8;
/** Top-level threads per later chunk, and the time box of one chunk (ms). */
export const CHUNK_THREADS = 50;
export const CHUNK_BUDGET_MS = 12;
/** Up to this many rendered comments, a sort change moves the existing nodes in place. */
export const REORDER_IN_PLACE_MAX = 1500;
/**
 * Lazy limits (like Reddit): a reply chain is cut this many levels below its top-level comment
 * (the comment at that depth shows "Continue this thread →"; the count restarts below it), and a
 * comment shows at most this many direct replies, then "Show N more replies" (same batch again).
 */
export const CONTINUE_DEPTH = 12;
export const MORE_BATCH = 20;
/** Node caps for the synchronous builds (first screen, and subtrees revealed by an event or click). */
const FIRST_SCREEN_NODES = 40;
const SYNC_NODES = 200;

interface BuildLimits {
  budgetMs: number;
  threads: number;
  nodes: number;
}
const FIRST: BuildLimits = { budgetMs: Infinity, threads: FIRST_SCREEN_THREADS, nodes: FIRST_SCREEN_NODES };
const CHUNK: BuildLimits = { budgetMs: CHUNK_BUDGET_MS, threads: CHUNK_THREADS, nodes: Infinity };
const SYNC: BuildLimits = { budgetMs: Infinity, threads: Infinity, nodes: SYNC_NODES };
/** Search box debounce (ms) and how long a focused comment stays highlighted (ms). */
export const SEARCH_DEBOUNCE_MS = 150;
export const FOCUS_FLASH_MS = 2500;

export type Filter = "all" | "mine" | "op" | "edited" | "liked";
const FILTERS: Filter[] = ["all", "mine", "op", "edited", "liked"];

interface SearchResult {
  /** comments that match */
  matches: Set<string>;
  /** matches and their ancestors (shown dimmed, for context) */
  visible: Set<string>;
}

/** The normal view, put aside while a search is active (restored as it was). */
interface Saved {
  tree: HTMLUListElement;
  nodes: Map<string, NodeRec>;
  stack: Cursor[];
  tabStopEl: HTMLElement | null;
  active: string | null;
  collapsed: Set<string>;
  sort: Sort;
  scroll: () => void;
  /** changed meanwhile: refreshed on restore */
  dirty: Set<string>;
  reset: boolean;
}

export interface ViewContext {
  store: ThreadStore;
  sort(): Sort;
  setSort(s: Sort): void;
  readOnly(): boolean;
  maxBody(): number;
  /** strings and locale (`w.strings`, `w.locale`) */
  fmt(): Fmt;
  /** layout options (`w.options`) */
  options(): Options;
  /** extra CSS (`w.css`) */
  css(): string;
  /** the kernel's rules for this user: role, voting, label set, fields, actions, badges */
  config(): Partial<Config>;
}

interface NodeRec {
  id: string;
  li: HTMLLIElement;
  card: HTMLElement;
  slot: HTMLElement;
  group: HTMLUListElement;
  depth: number;
  /** parent comment id, or ROOT */
  parent: string;
  /** depth at which this node's "continue" count starts (1, or the depth below a continued cut) */
  base: number;
  /** children are built (or being built by a cursor) */
  built: boolean;
  /** child nodes in the DOM (the rest are behind "more") */
  kids: number;
  /** the "more" / "continue" row after the group, and its button */
  tail: HTMLElement;
  tailBtn: HTMLButtonElement | null;
  composer: Composer | null;
  composerKey: string | null;
}

interface Cursor {
  parent: string;
  group: HTMLElement;
  ids: string[];
  i: number;
  depth: number;
  last: Element | null;
}

interface Draft {
  text: string;
  error: string | null;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

export class ThreadView {
  readonly root: HTMLElement;
  #postEl: HTMLElement;
  #noteEl: HTMLElement;
  #countEl: HTMLElement;
  #sortEl: HTMLSelectElement;
  #searchEl: HTMLInputElement;
  #filterEl: HTMLSelectElement;
  #clearEl: HTMLButtonElement;
  #matchesEl: HTMLElement;
  #bannerEl: HTMLElement;
  #newCommentEl: HTMLElement;
  #emptyEl: HTMLElement;
  #treeEl: HTMLUListElement;
  #newComposer: Composer | null = null;

  #nodes = new Map<string, NodeRec>();
  #collapsed = new Set<string>();
  /** "Show N more replies": comment id -> how many direct replies this view builds */
  #revealed = new Map<string, number>();
  /** "Continue this thread" pressed on these cut points */
  #continued = new Set<string>();
  /** keyboard: the current tree item (roving tabindex) and the element holding tabindex=0 */
  #active: string | null = null;
  #tabStopEl: HTMLElement | null = null;
  #drafts = new Map<string, Draft>();
  /** open reply/edit composers: comment id -> key ("reply:<id>" | "edit:<id>") */
  #openComposer = new Map<string, string>();
  #ownRids = new Map<string, { key: string; text: string }>();
  #armedDelete: string | null = null;
  #armTimer: ReturnType<typeof setTimeout> | null = null;
  #bannerTimer: ReturnType<typeof setTimeout> | null = null;

  #stack: Cursor[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #clock: ReturnType<typeof setInterval> | null = null;
  #renderedSort: Sort;
  #unsubs: (() => void)[] = [];
  #destroyed = false;
  #configKey = "";

  /** search (per view): lower-cased query, filter, result; `saved` is the normal view meanwhile */
  #query = "";
  #filter: Filter = "all";
  #search: SearchResult | null = null;
  #saved: Saved | null = null;
  #searchTimer: ReturnType<typeof setTimeout> | null = null;
  /** `w.focus(id)` for a comment this view does not have yet */
  #wantFocus: string | null = null;
  #flashed: HTMLElement | null = null;
  #flashTimer: ReturnType<typeof setTimeout> | null = null;

  #ctx: ViewContext;
  /** the live context; `#ctx` is a read-only copy on a replay store while replaying */
  #live: ViewContext;
  #replay: Replay;
  /** "Why this order?" (render/why.ts) */
  #why: WhyOrder;
  /** custom action buttons of `w.add_action` (render/actions.ts) */
  #custom: CustomActions;
  #lastCfg: Partial<Config> = {};
  #fmt: Fmt;
  #opts: Options;
  #styleEl: HTMLStyleElement;
  #sortLabelEl: HTMLElement;
  #commentsEl: HTMLElement;
  /** reports, moderation menus and reason forms, the thread lock (render/moderation.ts) */
  #mod: ModerationUI;
  /** comments this view has met at `options.collapsed_depth` (collapsed once, on first sight) */
  #autoCollapsed = new Set<string>();

  constructor(host: HTMLElement, ctx: ViewContext) {
    this.#ctx = this.#live = ctx;
    this.#fmt = ctx.fmt();
    this.#mod = new ModerationUI({
      store: () => this.#ctx.store,
      fmt: () => this.#fmt,
      readOnly: () => this.#ctx.readOnly(),
      act: (op) => this.#act(op),
      redraw: (id) => {
        const rec = this.#nodes.get(id);
        if (rec) this.#renderRec(rec);
        return rec !== undefined;
      },
      card: (id) => this.#nodes.get(id)?.card,
    });
    this.#replay = new Replay({ live: ctx.store, fmt: () => this.#fmt, show: (s) => this.#showStore(s) });
    this.#why = new WhyOrder({
      store: () => this.#ctx.store,
      sort: () => this.#renderedSort,
      fmt: () => this.#fmt,
      cards: () => this.#nodes.values(),
      card: (id) => this.#nodes.get(id)?.card,
    });
    this.#opts = ctx.options();
    this.#renderedSort = ctx.sort();
    this.root = h("div", { class: "tw-root", "data-lm-suppress-shortcuts": "true" });
    this.#custom = new CustomActions(this.root, {
      store: ctx.store,
      fmt: () => this.#fmt,
      config: () => this.#live.config(),
      interactive: () => !this.#ctx.readOnly() && this.#live.store.role !== "reader",
    });
    this.#lastCfg = ctx.config();
    this.#postEl = h("article", { class: "tw-post", "data-role": "post" });
    this.#countEl = h("span", { class: "tw-count", "data-role": "count", "aria-live": "polite" });
    this.#sortEl = h("select", { class: "tw-sort", "data-role": "sort" });
    for (const s of SORTS) this.#sortEl.append(h("option", { value: s }));
    this.#sortEl.value = this.#renderedSort;
    this.#sortEl.addEventListener("change", () => {
      const v = this.#sortEl.value as Sort;
      if (!SORTS.includes(v)) return;
      this.#ctx.setSort(v);
      this.setSort(v);
    });
    this.#bannerEl = h("div", { class: "tw-error tw-banner", "data-role": "error", role: "alert", hidden: true });
    this.#newCommentEl = h("div", { class: "tw-new-comment", "data-role": "new-comment" });
    this.#emptyEl = h("p", { class: "tw-empty", hidden: true });
    this.#treeEl = this.#makeTree();

    this.#searchEl = h("input", {
      type: "search",
      class: "tw-search",
      "data-role": "search",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.#searchEl.addEventListener("input", () => {
      if (this.#searchTimer !== null) clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => {
        this.#searchTimer = null;
        this.#setQuery(this.#searchEl.value);
      }, SEARCH_DEBOUNCE_MS);
    });
    this.#searchEl.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || this.#searchEl.value === "") return;
      e.preventDefault();
      e.stopPropagation();
      this.#searchEl.value = "";
      this.#setQuery("");
    });
    this.#clearEl = button("clear-search", "", "×", { hidden: true });
    this.#clearEl.addEventListener("click", () => {
      this.#searchEl.value = "";
      this.#filterEl.value = "all";
      this.#filter = "all";
      this.#setQuery("");
      this.#searchEl.focus();
    });
    this.#filterEl = h("select", { class: "tw-sort tw-filter", "data-role": "filter" });
    for (const v of FILTERS) this.#filterEl.append(h("option", { value: v }));
    this.#filterEl.addEventListener("change", () => {
      this.#filter = FILTERS.find((v) => v === this.#filterEl.value) ?? "all";
      this.#applySearch();
    });
    this.#matchesEl = h("span", { class: "tw-matches", "data-role": "search-count", "aria-live": "polite", hidden: true });

    const toolbar = h(
      "div",
      { class: "tw-toolbar" },
      this.#countEl,
      h(
        "div",
        { class: "tw-tools" },
        this.#matchesEl,
        h("span", { class: "tw-search-box", role: "search" }, this.#searchEl, this.#clearEl),
        this.#filterEl,
        h("label", { class: "tw-sort-label" }, (this.#sortLabelEl = h("span", {})), this.#sortEl),
        this.#why.toggle,
        this.#replay.toggle,
        this.#custom.toolbar,
      ),
    );
    this.#noteEl = h("p", { class: "tw-snapshot-note", "data-role": "snapshot-note", role: "note", hidden: true });
    this.#commentsEl = h("section", { class: "tw-comments" }, toolbar, this.#replay.bar, this.#bannerEl, this.#mod.threadEl, this.#newCommentEl, this.#emptyEl, this.#why.note, this.#treeEl);
    // w.css: the widget's own <style>, inside this view's root (gone with the view); it is in the
    // DOM only while there is CSS to apply
    this.#styleEl = h("style", { "data-role": "custom-css" });
    this.root.append(this.#noteEl, this.#postEl, this.#commentsEl);
    this.#applyLabels();
    this.#applyLayout();
    this.setCss(ctx.css());
    host.append(this.root);

    this.#unsubs.push(ctx.store.subscribe((c) => this.#onChange(c)));
    this.#unsubs.push(ctx.store.onReject((r) => this.#onReject(r)));
    this.#unsubs.push(ctx.store.onFocus((id) => this.focusComment(id)));

    this.#renderPost();
    this.#renderNewComposer();
    this.#updateCount();
    this.#rebuildTree();
    this.#clock = setInterval(() => refreshTimes(this.root, this.#fmt), 60_000);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#replay.dispose();
    this.#custom.dispose();
    for (const u of this.#unsubs) u();
    this.#unsubs = [];
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#clock !== null) clearInterval(this.#clock);
    if (this.#armTimer !== null) clearTimeout(this.#armTimer);
    if (this.#bannerTimer !== null) clearTimeout(this.#bannerTimer);
    if (this.#searchTimer !== null) clearTimeout(this.#searchTimer);
    if (this.#flashTimer !== null) clearTimeout(this.#flashTimer);
    this.#stack = [];
    this.root.remove();
  }

  /** True once every comment this view builds (not collapsed, not behind "more"/"continue") is in the DOM. */
  get idle(): boolean {
    return this.#stack.length === 0;
  }

  /** The element of a rendered comment (for tests and tools). */
  element(id: string): HTMLLIElement | undefined {
    return this.#nodes.get(id)?.li;
  }

  // ---- external changes ----------------------------------------------------------------

  setSort(sort: Sort): void {
    if (!SORTS.includes(sort)) return;
    this.#sortEl.value = sort;
    if (sort === this.#renderedSort) return;
    this.#renderedSort = sort;
    this.#why.invalidate();
    this.#why.relabel();
    if (!this.idle || this.#nodes.size > REORDER_IN_PLACE_MAX) {
      // Big trees are rebuilt progressively, like a first render: the first screen at once and
      // no long task, where moving every node would freeze the page (per-view state survives).
      this.#rebuildTree();
      return;
    }
    // Reorder while the tree is detached: moving thousands of connected nodes one by one costs
    // seconds (every move updates the live document); detached, it is a few milliseconds.
    const parent = this.#treeEl.parentNode;
    const next = this.#treeEl.nextSibling;
    const scroll = this.#scrollAnchor();
    const focused = this.#focusedStop();
    this.#treeEl.remove();
    this.#reorder(ROOT, this.#treeEl);
    const capped: NodeRec[] = [];
    for (const rec of this.#nodes.values()) {
      if (!rec.built) continue;
      const order = this.#reorder(rec.id, rec.group);
      if (rec.kids < order.length) capped.push(rec);
    }
    // Behind "more": the first replies in the new order are shown, not the old ones re-sorted.
    for (const rec of capped) if (this.#nodes.get(rec.id) === rec) this.#rebalance(rec);
    parent?.insertBefore(this.#treeEl, next);
    scroll();
    this.#pump(SYNC);
    this.#restoreFocus(focused);
    this.#why.redraw();
  }

  /** Evict built replies of `rec` that are no longer among its first `cap` in the sort; build the missing ones. */
  #rebalance(rec: NodeRec): void {
    const want = new Set(this.#kidsOf(rec.id).slice(0, this.#capOf(rec)));
    for (const li of Array.from(rec.group.children) as HTMLElement[]) {
      const id = li.dataset.commentId ?? "";
      const k = this.#nodes.get(id);
      if (k && !want.has(id)) this.#removeNode(k, false);
    }
    this.#dropCursor(rec.id);
    this.#pushCursor(rec.id, rec.group, rec.depth + 1);
    this.#updateTail(rec);
  }

  /** Remember where the reader is (the scroll offset of the nearest scroller) to restore it. */
  #scrollAnchor(): () => void {
    let el: HTMLElement | null = this.root.parentElement;
    while (el && el.scrollHeight <= el.clientHeight) el = el.parentElement;
    const target = el ?? document.scrollingElement;
    const top = target ? target.scrollTop : 0;
    return () => {
      if (target) target.scrollTop = top;
    };
  }

  /** Show (or hide, for null) the "saved snapshot" note of a page exported without a kernel. */
  setSnapshotNote(savedAt: string | null): void {
    this.#replay.toggle.hidden = !!savedAt; // a saved page has no kernel to replay from
    if (!savedAt) {
      this.#noteEl.hidden = true;
      return;
    }
    const ts = Date.parse(savedAt);
    const when = Number.isNaN(ts) ? savedAt : absoluteTime(ts, this.#fmt);
    this.#noteEl.dataset.savedAt = savedAt;
    this.#noteEl.textContent = this.#fmt.t("snapshot_note", { time: when });
    this.#noteEl.hidden = false;
  }

  /** `w.strings` or `w.locale` changed: every label and time again (per-view state kept). */
  setFmt(fmt: Fmt): void {
    this.#fmt = fmt;
    this.#applyLabels();
    const saved = this.#noteEl.dataset.savedAt;
    if (!this.#noteEl.hidden && saved) this.setSnapshotNote(saved);
    this.#renderPost();
    this.#updateMatches();
    this.refreshAll();
  }

  /** `w.options` changed: classes at once; indentation, times and collapsing by a redraw. */
  setOptions(opts: Options): void {
    const old = this.#opts;
    this.#opts = opts;
    this.#applyLayout();
    if (old.collapsed_depth !== opts.collapsed_depth) this.#autoCollapsed.clear();
    const avatarsChanged = old.avatars !== opts.avatars;
    const repliesChanged = old.counts.includes("replies") !== opts.counts.includes("replies");
    if (old.timestamps !== opts.timestamps || avatarsChanged) this.#renderPost();
    if (old.max_indent !== opts.max_indent || old.timestamps !== opts.timestamps || old.collapsed_depth !== opts.collapsed_depth || avatarsChanged || repliesChanged) {
      this.refreshAll();
    }
  }

  /** `w.css` changed. */
  setCss(css: string): void {
    if (this.#styleEl.textContent !== css) this.#styleEl.textContent = css;
    if (!css) this.#styleEl.remove();
    else if (this.#styleEl.parentNode !== this.root) this.root.prepend(this.#styleEl);
  }

  #renderPost(): void {
    this.#mod.renderThread();
    const post = this.#ctx.store.post;
    renderPost(this.#postEl, post, this.#fmt, this.#opts.timestamps === "absolute", {
      cfg: this.#live.config(),
      actions: this.#custom.forPost(),
      avatarUrl: post ? avatarUrl(this.#opts, post.author) : null,
    });
  }

  #applyLayout(): void {
    const o = this.#opts;
    this.root.classList.toggle("tw-compact", o.density === "compact");
    this.root.classList.toggle("tw-no-avatars", o.avatars === "none");
    this.root.classList.toggle("tw-absolute-times", o.timestamps === "absolute");
    this.root.classList.toggle("tw-hide-vote-counts", !o.counts.includes("votes"));
    this.root.classList.toggle("tw-hide-comment-count", !o.counts.includes("comments"));
  }

  /** The fixed labels of the view's chrome, from the strings table. */
  #applyLabels(): void {
    const f = this.#fmt;
    this.#replay.relabel();
    this.#why.relabel();
    this.#sortEl.setAttribute("aria-label", f.t("sort_label"));
    for (const opt of Array.from(this.#sortEl.options)) opt.textContent = f.t(`sort_${opt.value}`);
    this.#sortLabelEl.textContent = f.t("sort_by");
    this.#emptyEl.textContent = f.t("no_comments");
    this.#searchEl.setAttribute("aria-label", f.t("search_label"));
    this.#searchEl.placeholder = f.t("search_placeholder");
    this.#clearEl.setAttribute("aria-label", f.t("clear_search"));
    this.#filterEl.setAttribute("aria-label", f.t("filter_label"));
    for (const opt of Array.from(this.#filterEl.options)) opt.textContent = f.t(`filter_${opt.value}`);
    this.#commentsEl.setAttribute("aria-label", f.t("comments_section"));
    this.#treeEl.setAttribute("aria-label", f.t("comments_section"));
  }

  /** read_only or user changed: redraw everything but keep per-view state. */
  refreshAll(): void {
    this.#custom.renderToolbar();
    this.#renderPost(); // its action buttons follow read_only and the role
    if (this.#saved) {
      this.#saved.reset = true;
      this.#search = this.#computeSearch(); // "Mine" / "Liked by me" depend on the user
      this.#updateMatches();
    }
    this.#renderNewComposer();
    this.#updateCount();
    this.#rebuildTree();
  }

  /** Replay (render/timeline.ts): draw `store` read-only instead of the live thread; null: live again. */
  #showStore(store: ThreadStore | null): void {
    if (this.#destroyed) return;
    this.#ctx = store ? { ...this.#live, store, readOnly: () => true } : this.#live;
    this.root.classList.toggle("tw-replaying", store !== null);
    this.refreshAll(); // the post (its lock, its actions) too
  }

  /** `_config` changed (role, voting, labels, fields, actions, badges): redraw what shows them. */
  setConfig(cfg: Partial<Config>): void {
    const key = JSON.stringify(cfg);
    if (key === this.#configKey) return;
    this.#configKey = key;
    const only = changedActionIds(this.#lastCfg, cfg);
    this.#lastCfg = cfg;
    if (only) {
      // only a `when` predicate's matches changed (new comments): redraw just those cards
      for (const id of only) {
        this.#saved?.dirty.add(id);
        const rec = this.#nodes.get(id);
        if (rec) this.#renderRec(rec);
      }
      return;
    }
    this.refreshComposers();
    this.refreshAll();
  }

  /** Composers re-read the body limit. */
  refreshComposers(): void {
    this.#newComposer?.refresh();
    for (const rec of this.#nodes.values()) rec.composer?.refresh();
  }

  #onChange(c: Change): void {
    if (this.#destroyed || this.#ctx !== this.#live) return; // replaying: live again on "Back to live"
    this.#why.invalidate();
    for (const rid of [...this.#ownRids.keys()]) if (!this.#ctx.store.pending.has(rid)) this.#ownRids.delete(rid);
    let touched: Iterable<string> = c.ids;
    if (this.#saved) {
      // Searching: the normal view catches up when it comes back; the result is recomputed.
      if (c.reset) this.#saved.reset = true;
      else for (const id of c.ids) this.#saved.dirty.add(id);
      const old = this.#search as SearchResult;
      this.#search = this.#computeSearch();
      if (!c.reset) {
        const set = new Set(c.ids);
        for (const id of old.visible) if (!this.#search.visible.has(id)) set.add(id);
        for (const id of this.#search.visible) {
          if (!old.visible.has(id) || old.matches.has(id) !== this.#search.matches.has(id)) set.add(id);
        }
        touched = set;
      }
      this.#updateMatches();
    }
    if (c.post === "extra" && !c.reset) this.#renderPost(); // only the post shows it
    if (c.post === "lock" && !c.reset) {
      // a thread lock changes every reply button and the new-comment box
      this.#renderPost();
      this.#renderNewComposer();
      this.#rebuildTree();
    }
    if (c.reset) {
      this.#renderPost();
      if (this.#newCommentEl.hidden !== (this.#ctx.readOnly() || this.#mod.composerClosed())) this.#renderNewComposer();
      this.#updateCount();
      this.#rebuildTree();
    } else {
      this.#refreshIds(touched);
      this.#why.changed(touched);
      this.#updateCount();
      this.#ensureTabStop();
      this.#updatePosition();
    }
    if (this.#wantFocus !== null && this.#ctx.store.isShown(this.#wantFocus)) this.focusComment(this.#wantFocus);
  }

  /** Refresh comments parents first. */
  #refreshIds(list: Iterable<string>): void {
    const store = this.#ctx.store;
    const ids = [...new Set(list)].map((id) => ({ id, d: store.depth(id) })).sort((a, b) => a.d - b.d);
    for (const { id } of ids) this.#refresh(id);
  }

  // ---- focus (w.focus(id)) -----------------------------------------------------------------

  /**
   * Scroll to a comment and highlight it: open its collapsed ancestors, reveal it behind
   * "more" / "continue", build it if the progressive build has not reached it, make it the tab
   * stop. An id this view does not have yet is remembered until the comment arrives.
   */
  focusComment(id: string): void {
    if (this.#destroyed) return;
    const store = this.#ctx.store;
    if (!store.isShown(id)) {
      this.#wantFocus = id;
      return;
    }
    this.#wantFocus = null;
    if (this.#search && !this.#search.visible.has(id)) this.clearSearch();
    const chain = store.ancestors(store.parentOf(id)).reverse();
    const path = [...chain, id];
    for (let i = 0; i < chain.length; i++) {
      const a = chain[i];
      this.#collapsed.delete(a);
      if (this.#search) continue; // a search lifts the limits already
      this.#continued.add(a);
      const idx = this.#kidsOf(a).indexOf(path[i + 1]);
      if (idx >= (this.#revealed.get(a) ?? MORE_BATCH)) this.#revealed.set(a, idx + 1);
    }
    let prec: NodeRec | null = null;
    for (const a of path) {
      let rec: NodeRec | null = this.#nodes.get(a) ?? null;
      if (!rec && prec) {
        this.#buildKids(prec);
        rec = this.#nodes.get(a) ?? null;
      } else if (!rec) rec = this.#materialize(a);
      if (!rec) return;
      if (a !== id) {
        if (!rec.built && this.#shouldBuild(rec)) this.#startKids(rec);
        this.#renderRec(rec);
      }
      prec = rec;
    }
    const rec = prec as NodeRec;
    this.#schedule();
    this.#syncState();
    this.#active = id;
    this.#setTabStop(rec.li);
    if (typeof rec.card.scrollIntoView === "function") rec.card.scrollIntoView({ block: "center" });
    this.#flashed?.classList.remove("tw-focused");
    if (this.#flashTimer !== null) clearTimeout(this.#flashTimer);
    rec.li.classList.add("tw-focused");
    this.#flashed = rec.li;
    this.#flashTimer = setTimeout(() => {
      this.#flashTimer = null;
      this.#flashed?.classList.remove("tw-focused");
      this.#flashed = null;
    }, FOCUS_FLASH_MS);
  }

  // ---- search and filter (per view) --------------------------------------------------------

  #setQuery(text: string): void {
    if (this.#searchTimer !== null) clearTimeout(this.#searchTimer);
    this.#searchTimer = null;
    this.#query = text.trim().toLowerCase();
    this.#applySearch();
  }

  /** Clear the search box and the filter: the normal view comes back as it was. */
  clearSearch(): void {
    this.#searchEl.value = "";
    this.#filterEl.value = "all";
    this.#filter = "all";
    this.#setQuery("");
  }

  /**
   * O(n) over the store, not the DOM: the comments that pass the filter and contain the query
   * (body source or author, case-insensitive), and their ancestors.
   */
  #computeSearch(): SearchResult {
    const store = this.#ctx.store;
    const q = this.#query;
    const f = this.#filter;
    const user = store.user;
    const op = store.post?.author ?? null;
    const matches = new Set<string>();
    const test = (id: string, c: Comment | undefined): void => {
      if (!c || c.status !== "visible") return;
      if (f === "mine" && (user === "" || c.author !== user)) return;
      if (f === "op" && c.author !== op) return;
      if (f === "edited" && !c.edited_at) return;
      if (f === "liked" && (user === "" || !c.liked_by.includes(user))) return;
      if (q && !c.body.toLowerCase().includes(q) && !c.author.toLowerCase().includes(q)) return;
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
        p = store.parentOf(p);
      }
    }
    return { matches, visible };
  }

  #applySearch(): void {
    const on = this.#query !== "" || this.#filter !== "all";
    if (!on) {
      if (this.#saved) this.#restoreView();
    } else {
      if (!this.#saved) {
        // Put the normal view aside, untouched, and build the result in a tree of its own.
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        this.#saved = {
          tree: this.#treeEl,
          nodes: this.#nodes,
          stack: this.#stack,
          tabStopEl: this.#tabStopEl,
          active: this.#active,
          collapsed: this.#collapsed,
          sort: this.#renderedSort,
          scroll: this.#scrollAnchor(),
          dirty: new Set(),
          reset: false,
        };
        const tree = this.#makeTree();
        this.#treeEl.replaceWith(tree);
        this.#treeEl = tree;
        this.#nodes = new Map();
        this.#stack = [];
        this.#collapsed = new Set();
        this.#tabStopEl = null;
      }
      this.#search = this.#computeSearch();
      this.#rebuildTree();
    }
    this.#updateMatches();
  }

  #restoreView(): void {
    const s = this.#saved as Saved;
    this.#saved = null;
    this.#search = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#treeEl.replaceWith(s.tree);
    this.#treeEl = s.tree;
    this.#nodes = s.nodes;
    this.#stack = s.stack;
    this.#tabStopEl = s.tabStopEl;
    this.#active = s.active;
    this.#collapsed = s.collapsed;
    this.#renderedSort = s.sort;
    if (s.reset) this.#rebuildTree();
    else {
      // Composers opened or closed meanwhile, and what changed meanwhile.
      for (const rec of this.#nodes.values()) {
        if (!rec.composer && !this.#openComposer.has(rec.id)) continue;
        rec.slot.replaceChildren();
        rec.composer = null;
        rec.composerKey = null;
        if (!this.#ctx.readOnly()) this.#mountComposer(rec);
        this.#renderRec(rec);
      }
      this.setSort(this.#ctx.sort());
      this.#refreshIds(s.dirty);
      this.#schedule();
      this.#ensureTabStop();
      this.#syncState();
    }
    this.#updateCount();
    s.scroll();
  }

  #updateMatches(): void {
    const on = this.#saved !== null;
    this.#clearEl.hidden = !on;
    this.#matchesEl.hidden = !on;
    this.root.classList.toggle("tw-searching", on);
    this.#matchesEl.textContent = this.#search ? this.#fmt.count("matches", this.#search.matches.size) : "";
  }

  /** Shown in this view: shown by the store and, while searching, a match or an ancestor of one. */
  #shown(id: string): boolean {
    return this.#ctx.store.isShown(id) && (!this.#search || this.#search.visible.has(id));
  }

  /** Shown children of a comment (or ROOT) in display order. */
  #kidsOf(parent: string): string[] {
    const ids = this.#ctx.store.sortedChildren(parent, this.#renderedSort);
    const s = this.#search;
    return s ? ids.filter((id) => s.visible.has(id)) : ids;
  }

  #makeTree(): HTMLUListElement {
    const tree = h("ul", { class: "tw-tree", "data-role": "tree", role: "tree", "aria-label": this.#fmt.t("comments_section") });
    tree.addEventListener("click", (e) => this.#onTreeClick(e));
    tree.addEventListener("keydown", (e) => this.#onTreeKey(e));
    tree.addEventListener("focusin", (e) => this.#onFocusIn(e));
    tree.addEventListener("focusout", (e) => {
      const t = e.target as HTMLElement | null;
      if (t && t.getAttribute("role") === "treeitem") {
        t.removeAttribute("aria-posinset");
        t.removeAttribute("aria-setsize");
      }
    });
    return tree;
  }

  #onReject(r: RejectNotice): void {
    if (r.reason === LOST_REASON) r = { ...r, reason: this.#fmt.t("no_answer") };
    const own = this.#ownRids.get(r.rid);
    if (!own) {
      // Not one of this view's composers: if this view pressed the button, say so.
      if (this.#ownActions.delete(r.rid) && !this.#mod.onReject(r)) this.#showBanner(r.reason);
      return;
    }
    this.#ownRids.delete(r.rid);
    const key = own.key;
    const current = this.#drafts.get(key)?.text ?? "";
    const text = current.trim() !== "" ? current : own.text;
    this.#drafts.set(key, { text, error: r.reason });
    if (key === "new") {
      if (this.#newComposer) {
        if (this.#newComposer.value.trim() === "") this.#newComposer.value = text;
        this.#newComposer.setError(r.reason);
      } else this.#showBanner(r.reason);
      return;
    }
    const id = key.slice(key.indexOf(":") + 1);
    const rec = this.#nodes.get(id);
    if (!rec || this.#ctx.readOnly()) {
      this.#showBanner(r.reason);
      return;
    }
    this.#openComposer.set(id, key);
    this.#mountComposer(rec);
    this.#renderRec(rec);
    rec.composer?.setError(r.reason);
    rec.composer?.focus();
  }

  #ownActions = new Set<string>();

  // ---- toolbar / new comment -------------------------------------------------------------

  #updateCount(): void {
    const n = this.#ctx.store.visibleCount();
    this.#countEl.textContent = this.#fmt.count("comments", n);
    const anyShown = this.#ctx.store.childIds(ROOT).some((id) => this.#ctx.store.isShown(id));
    this.#emptyEl.hidden = anyShown || !this.#ctx.store.complete;
  }

  #renderNewComposer(): void {
    this.#newComposer = null;
    this.#newCommentEl.replaceChildren();
    if (this.#ctx.readOnly() || this.#mod.composerClosed()) {
      this.#newCommentEl.hidden = true;
      return;
    }
    this.#newCommentEl.hidden = false;
    const d = this.#drafts.get("new");
    const comp = new Composer({
      key: "new",
      label: this.#fmt.t("new_comment_label"),
      placeholder: this.#fmt.t("new_comment_placeholder"),
      submitText: this.#fmt.t("submit_comment"),
      cancelText: this.#fmt.t("clear"),
      fmt: this.#fmt,
      text: d?.text ?? "",
      error: d?.error ?? null,
      maxBody: this.#ctx.maxBody,
      onInput: (t) => this.#drafts.set("new", { text: t, error: null }),
      onCancel: () => {
        comp.value = "";
        comp.setError(null);
        this.#drafts.delete("new");
      },
      onSubmit: (body) => {
        const store = this.#ctx.store;
        const id = store.nextCommentId();
        const rid = store.submit({ type: "add", id, parent_id: null, body });
        this.#ownRids.set(rid, { key: "new", text: body });
        comp.value = "";
        this.#drafts.delete("new");
        // Show the new comment where the sort put it (the bottom, for "oldest").
        const li = this.#nodes.get(id)?.li;
        if (li && typeof li.scrollIntoView === "function") li.scrollIntoView({ block: "nearest" });
      },
    });
    this.#newComposer = comp;
    this.#newCommentEl.append(comp.el);
  }

  #showBanner(msg: string): void {
    this.#bannerEl.textContent = msg;
    this.#bannerEl.hidden = false;
    if (this.#bannerTimer !== null) clearTimeout(this.#bannerTimer);
    this.#bannerTimer = setTimeout(() => {
      this.#bannerEl.hidden = true;
      this.#bannerEl.textContent = "";
    }, 8000);
  }

  // ---- tree building ---------------------------------------------------------------------

  #rebuildTree(): void {
    const focused = this.#focusedStop();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#stack = [];
    for (const rec of this.#nodes.values()) rec.composer = null;
    this.#nodes.clear();
    this.#tabStopEl = null;
    this.#treeEl.replaceChildren();
    this.#renderedSort = this.#ctx.sort();
    this.#sortEl.value = this.#renderedSort;
    this.#why.invalidate();
    this.#why.relabel();
    this.#pushCursor(ROOT, this.#treeEl, 1);
    this.#runBuild(FIRST);
    this.#schedule();
    this.#ensureTabStop();
    this.#syncState();
    this.#restoreFocus(focused);
  }

  #pushCursor(parent: string, group: HTMLElement, depth: number): void {
    const ids = this.#kidsOf(parent);
    if (ids.length) this.#stack.push({ parent, group, ids, i: 0, depth, last: null });
  }

  /** Build synchronously within `limits`, schedule the rest, publish the state. */
  #pump(limits: BuildLimits): void {
    this.#runBuild(limits);
    this.#schedule();
    this.#ensureTabStop();
    this.#syncState();
  }

  /** `.tw-root[data-state]`: "building" while the progressive build runs, then "idle". */
  #syncState(): void {
    const state = this.#stack.length ? "building" : "idle";
    if (this.root.dataset.state !== state) this.root.dataset.state = state;
  }

  #hasCursor(parent: string): boolean {
    for (const c of this.#stack) if (c.parent === parent) return true;
    return false;
  }

  #dropCursor(parent: string): void {
    if (this.#hasCursor(parent)) this.#stack = this.#stack.filter((c) => c.parent !== parent);
  }

  /** How many direct replies of `rec` this view builds. */
  #capOf(rec: NodeRec): number {
    if (this.#search) return Infinity; // a search shows every match
    return this.#revealed.get(rec.id) ?? MORE_BATCH;
  }

  /** A cut point: replies below it wait for "Continue this thread". */
  #isCut(rec: NodeRec): boolean {
    return !this.#search && rec.depth - rec.base >= CONTINUE_DEPTH && !this.#continued.has(rec.id);
  }

  /** Whether the children of `rec` should be in the DOM. */
  #shouldBuild(rec: NodeRec): boolean {
    return !this.#collapsed.has(rec.id) && !this.#isCut(rec) && this.#hasShownChildren(rec.id);
  }

  /** Start building the children of `rec` (a cursor; the caller pumps). */
  #startKids(rec: NodeRec): void {
    rec.built = true;
    this.#pushCursor(rec.id, rec.group, rec.depth + 1);
  }

  /**
   * Build nodes depth first until a limit is reached: the time box (later chunks), or a count of
   * top-level threads / nodes (synchronous builds, which must be deterministic).
   */
  #runBuild(limits: BuildLimits): void {
    const start = now();
    let threads = 0;
    let nodes = 0;
    while (this.#stack.length) {
      const cur = this.#stack[this.#stack.length - 1];
      const prec = cur.parent === ROOT ? null : this.#nodes.get(cur.parent);
      if (cur.parent !== ROOT && (!prec || prec.group !== cur.group)) {
        this.#stack.pop(); // its parent went away meanwhile
        continue;
      }
      const existing = cur.i < cur.ids.length ? this.#nodes.get(cur.ids[cur.i]) : undefined;
      if (cur.i >= cur.ids.length || (prec && !existing && prec.kids >= this.#capOf(prec))) {
        this.#stack.pop();
        if (prec) this.#updateTail(prec);
        continue;
      }
      if (cur.parent === ROOT) {
        if (threads >= limits.threads) break;
        threads++;
      }
      const id = cur.ids[cur.i++];
      if (existing) {
        cur.last = existing.li;
      } else if (this.#shown(id)) {
        const rec = this.#createNode(id, cur.depth, prec ?? null);
        if (cur.last && cur.last.parentNode === cur.group) cur.last.after(rec.li);
        else this.#place(rec.li, id, cur.group);
        cur.last = rec.li;
        if (this.#shouldBuild(rec)) this.#startKids(rec);
      }
      if (++nodes >= limits.nodes) break;
      if (limits.budgetMs !== Infinity && now() - start > limits.budgetMs) break;
    }
  }

  #schedule(): void {
    if (this.#timer !== null || this.#stack.length === 0 || this.#destroyed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#destroyed) return;
      this.#runBuild(CHUNK);
      this.#schedule();
      this.#ensureTabStop();
      this.#syncState();
    }, 0);
  }

  #hasShownChildren(id: string): boolean {
    return this.#ctx.store.childIds(id).some((k) => this.#shown(k));
  }

  #createNode(id: string, depth: number, parent: NodeRec | null): NodeRec {
    const maxIndent = this.#opts.max_indent;
    if (depth === this.#opts.collapsed_depth && !this.#search && !this.#autoCollapsed.has(id)) {
      // options.collapsed_depth: collapsed the first time this view meets the comment (not in a search)
      this.#autoCollapsed.add(id);
      this.#collapsed.add(id);
    }
    const li = h("li", {
      class: "tw-comment",
      role: "treeitem",
      tabindex: -1,
      "data-comment-id": id,
      "aria-level": depth,
      "data-depth": depth,
    });
    if (depth > maxIndent) li.classList.add("tw-deep");
    const card = h("div", { class: "tw-card" });
    const slot = h("div", { class: "tw-slot" });
    const group = h("ul", { class: "tw-group", role: "group" });
    if (depth >= maxIndent) group.classList.add("tw-flat");
    const tail = h("div", { class: "tw-tail", hidden: true });
    if (depth >= maxIndent) tail.classList.add("tw-flat");
    li.append(card, slot, group, tail);
    // Below a continued cut point the "continue" count starts again.
    const base = !parent ? 1 : parent.depth - parent.base >= CONTINUE_DEPTH ? depth : parent.base;
    const rec: NodeRec = {
      id,
      li,
      card,
      slot,
      group,
      depth,
      parent: parent ? parent.id : ROOT,
      base,
      built: false,
      kids: 0,
      tail,
      tailBtn: null,
      composer: null,
      composerKey: null,
    };
    this.#nodes.set(id, rec);
    if (parent) parent.kids++;
    this.#renderRec(rec);
    if (this.#openComposer.has(id) && !this.#ctx.readOnly()) this.#mountComposer(rec);
    if (id === this.#active) this.#setTabStop(li);
    return rec;
  }

  /** Create the node of `id` under `parent` (or at the top) at its sorted place, and start its children. */
  #addNode(id: string, parent: NodeRec | null): NodeRec {
    const rec = this.#createNode(id, parent ? parent.depth + 1 : 1, parent);
    this.#place(rec.li, id, parent ? parent.group : this.#treeEl);
    if (this.#shouldBuild(rec)) this.#startKids(rec);
    if (parent) this.#updateTail(parent);
    return rec;
  }

  /** Insert `li` into `group` at the sorted position of `id` (binary search over siblings). */
  #place(li: HTMLElement, id: string, group: HTMLElement): void {
    const store = this.#ctx.store;
    const kids = group.children;
    let lo = 0;
    let hi = kids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = (kids[mid] as HTMLElement).dataset.commentId ?? "";
      if (other === id || store.compare(other, id, this.#renderedSort) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const before = kids[lo] ?? null;
    if (before === li) return;
    group.insertBefore(li, before);
  }

  #reorder(parent: string, group: HTMLElement): string[] {
    const order = this.#kidsOf(parent);
    for (const id of order) {
      const rec = this.#nodes.get(id);
      if (rec && rec.li.parentNode === group) group.append(rec.li);
    }
    return order;
  }

  // ---- keyed updates ---------------------------------------------------------------------

  #refresh(id: string): void {
    const store = this.#ctx.store;
    const rec = this.#nodes.get(id);
    const shown = this.#shown(id);
    if (rec && !shown) {
      this.#removeNode(rec);
      return;
    }
    if (rec) {
      this.#renderRec(rec);
      this.#ensurePosition(rec);
      if (!rec.built && this.#shouldBuild(rec)) {
        this.#startKids(rec);
        this.#pump(SYNC);
      }
      return;
    }
    if (!shown) return;
    const parent = store.parentOf(id);
    let prec: NodeRec | null = null;
    if (parent !== null) {
      prec = this.#nodes.get(parent) ?? null;
      if (!prec || !prec.built) return; // not on screen yet; built with its parent later
      if (!this.#admits(prec, id)) {
        this.#updateTail(prec); // behind "Show N more replies": the count says so
        return;
      }
    }
    const nrec = this.#addNode(id, prec);
    if (nrec.built) this.#pump(SYNC);
  }

  /**
   * Does a new reply to a built comment get a node now? Yes while the comment shows fewer
   * replies than its cap, for own comments (never hidden from their author), and when it sorts
   * among the replies already shown (the cap grows: nothing shown disappears). Otherwise it
   * waits behind "Show N more replies".
   */
  #admits(prec: NodeRec, id: string): boolean {
    const cap = this.#capOf(prec);
    if (prec.kids < cap) return true;
    const last = prec.group.lastElementChild as HTMLElement | null;
    const own = this.#ctx.store.isUnconfirmed(id);
    if (own || (last && this.#ctx.store.compare(id, last.dataset.commentId ?? "", this.#renderedSort) < 0)) {
      this.#revealed.set(prec.id, prec.kids + 1);
      return true;
    }
    return false;
  }

  #ensurePosition(rec: NodeRec): void {
    const store = this.#ctx.store;
    const prev = rec.li.previousElementSibling as HTMLElement | null;
    const next = rec.li.nextElementSibling as HTMLElement | null;
    const s = this.#renderedSort;
    const bad =
      (prev && store.compare(prev.dataset.commentId ?? "", rec.id, s) > 0) ||
      (next && store.compare(rec.id, next.dataset.commentId ?? "", s) > 0);
    if (!bad) return;
    const group = rec.li.parentElement;
    if (!group) return;
    rec.li.remove();
    this.#place(rec.li, rec.id, group);
  }

  #removeNode(rec: NodeRec, keepFocus = true): void {
    const doc = rec.li.ownerDocument;
    const hadFocus = rec.li.contains(doc.activeElement);
    const hadStop = this.#tabStopEl !== null && rec.li.contains(this.#tabStopEl);
    rec.li.remove();
    this.#nodes.delete(rec.id);
    for (const el of Array.from(rec.li.querySelectorAll<HTMLElement>("[data-comment-id]"))) {
      const k = el.dataset.commentId;
      if (k) this.#nodes.delete(k);
    }
    const prec = this.#nodes.get(rec.parent);
    if (prec) {
      prec.kids--;
      this.#updateTail(prec);
    }
    if (hadStop) {
      // The roving tab stop (and focus) moves to the parent, or the first comment.
      this.#tabStopEl = null;
      if (this.#active !== null && !this.#nodes.has(this.#active)) this.#active = prec ? prec.id : null;
      this.#ensureTabStop();
      if (hadFocus && keepFocus) (this.#tabStopEl as HTMLElement | null)?.focus({ preventScroll: true });
    }
  }

  #renderRec(rec: NodeRec): void {
    const store = this.#ctx.store;
    const c = store.display(rec.id);
    if (!c) return;
    const hasChildren = this.#hasShownChildren(rec.id);
    const collapsed = this.#collapsed.has(rec.id) && hasChildren;
    const pending = store.isPending(rec.id);
    rec.li.dataset.status = c.status;
    if (pending) rec.li.dataset.pending = "true";
    else delete rec.li.dataset.pending;
    if (hasChildren) rec.li.setAttribute("aria-expanded", collapsed ? "false" : "true");
    else rec.li.removeAttribute("aria-expanded");
    rec.li.classList.toggle("tw-is-collapsed", collapsed);
    rec.group.hidden = collapsed || !hasChildren;
    rec.li.setAttribute("aria-label", cardLabel(c, store.role === "moderator", this.#fmt));
    // a button clicked or focused inside the card keeps the focus through the rebuild
    const active = rec.card.ownerDocument.activeElement;
    const hadFocus = active !== null && active.tagName === "BUTTON" && rec.card.contains(active) ? active : null;
    renderCard(rec.card, {
      comment: c,
      user: store.user,
      postAuthor: store.post?.author ?? null,
      readOnly: this.#ctx.readOnly(),
      pending,
      unconfirmed: store.isUnconfirmed(rec.id),
      replies: collapsed && this.#opts.counts.includes("replies") ? store.replyCount(rec.id) : 0,
      hasChildren,
      collapsed,
      editing: this.#openComposer.get(rec.id) === `edit:${rec.id}`,
      armedDelete: this.#armedDelete === rec.id,
      fmt: this.#fmt,
      absoluteTimes: this.#opts.timestamps === "absolute",
      avatarUrl: avatarUrl(this.#opts, c.author),
      cfg: this.#ctx.config(),
      role: store.role,
      lock: store.lockOf(rec.id),
      custom: this.#custom.forComment(c),
      mod: this.#mod.card(rec.id),
    });
    if (hadFocus) refocus(rec.card, hadFocus);
    this.#why.decorate(rec.card, rec.id);
    const s = this.#search;
    rec.li.classList.toggle("tw-context", s !== null && !s.matches.has(rec.id));
    if (s && this.#query && s.matches.has(rec.id)) {
      // On the text nodes of the sanitised card, never on HTML: nothing can be injected.
      const body = rec.card.querySelector('[data-role="body"]');
      if (body) highlight(body, this.#query);
      const author = rec.card.querySelector(".tw-author");
      if (author) highlight(author, this.#query);
    }
    this.#updateTail(rec);
  }

  /**
   * The row after a comment's replies: "Continue this thread →" at a cut point, "Show N more
   * replies" while some replies are not built, else nothing. The button is updated in place so
   * that it keeps focus when a count changes.
   */
  #updateTail(rec: NodeRec): void {
    const store = this.#ctx.store;
    let kind: "more" | "continue" | null = null;
    let text = "";
    let label = "";
    const open = !this.#collapsed.has(rec.id) && this.#hasShownChildren(rec.id);
    if (open && !rec.built && this.#isCut(rec)) {
      kind = "continue";
      text = this.#fmt.t("continue");
      label = this.#fmt.count("continue_label", store.replyCount(rec.id));
    } else if (open && rec.built && !this.#hasCursor(rec.id)) {
      let shown = 0;
      for (const k of store.childIds(rec.id)) if (this.#shown(k)) shown++;
      const hidden = shown - rec.kids;
      if (hidden > 0) {
        kind = "more";
        text = this.#fmt.count("more_replies", hidden);
        label = text;
      }
    }
    if (kind === null) {
      if (rec.tailBtn) {
        const hadFocus = rec.tailBtn === rec.li.ownerDocument.activeElement;
        rec.tail.replaceChildren();
        rec.tailBtn = null;
        if (hadFocus) rec.li.focus({ preventScroll: true });
      }
      rec.tail.hidden = true;
      return;
    }
    let btn = rec.tailBtn;
    if (!btn || btn.dataset.action !== kind) {
      btn = button(kind, label, text, { class: `tw-btn tw-btn-${kind}` });
      const hadFocus = rec.tailBtn !== null && rec.tailBtn === rec.li.ownerDocument.activeElement;
      rec.tail.replaceChildren(btn);
      rec.tailBtn = btn;
      if (hadFocus) btn.focus({ preventScroll: true });
    } else {
      if (btn.textContent !== text) btn.textContent = text;
      if (btn.getAttribute("aria-label") !== label) btn.setAttribute("aria-label", label);
    }
    rec.tail.hidden = false;
  }

  // ---- actions -----------------------------------------------------------------------------

  #onTreeClick(e: MouseEvent): void {
    const target = e.target as Element | null;
    const btn = target?.closest<HTMLButtonElement>("button[data-action]");
    if (!btn || !this.#treeEl.contains(btn)) return;
    const li = btn.closest<HTMLElement>("[data-comment-id]");
    const id = li?.dataset.commentId;
    if (!id) return;
    const rec = this.#nodes.get(id);
    if (!rec) return;
    // Buttons inside a composer belong to the composer.
    if (btn.closest(".tw-composer")) return;
    if (this.#mod.click(btn, id)) return;
    const store = this.#ctx.store;
    const action = btn.dataset.action;
    const ro = this.#ctx.readOnly();
    switch (action) {
      case "collapse":
        this.#toggleCollapse(rec);
        return;
      case "more":
        this.#showMore(rec);
        return;
      case "continue":
        this.#continueThread(rec);
        return;
      case "like": {
        if (ro) return;
        const c = store.display(id);
        if (!c) return;
        const liked = c.liked_by.includes(store.user);
        this.#act({ type: liked ? "unlike" : "like", id });
        return;
      }
      case "vote": {
        const c = store.display(id);
        if (!ro && c && btn.dataset.choice) this.#act(voteOp(c, store.user, btn.dataset.choice));
        return;
      }
      case "label": {
        const op = ro ? null : labelOp(store.display(id), btn.dataset.label, store.user);
        if (op) this.#act(op);
        return;
      }
      case "reply":
        if (!ro) this.#toggleComposer(rec, `reply:${id}`);
        return;
      case "edit":
        if (!ro) this.#toggleComposer(rec, `edit:${id}`);
        return;
      case "delete":
        if (ro) return;
        if (this.#armedDelete === id) {
          this.#disarm();
          this.#act({ type: "delete", id });
        } else {
          this.#disarm();
          this.#armedDelete = id;
          this.#renderRec(rec);
          rec.card.querySelector<HTMLElement>('button[data-action="delete"]')?.focus();
          this.#armTimer = setTimeout(() => this.#disarm(), 4000);
        }
        return;
    }
  }

  #disarm(): void {
    if (this.#armTimer !== null) clearTimeout(this.#armTimer);
    this.#armTimer = null;
    const id = this.#armedDelete;
    this.#armedDelete = null;
    const rec = id ? this.#nodes.get(id) : undefined;
    if (rec) this.#renderRec(rec);
  }

  #act(op: Op): string {
    const rid = this.#ctx.store.submit(op);
    this.#ownActions.add(rid);
    if (this.#ownActions.size > 200) this.#ownActions.delete(this.#ownActions.values().next().value as string);
    return rid;
  }

  /** Collapse or expand; focus goes to the collapse button (mouse) or stays on the item (keyboard). */
  #toggleCollapse(rec: NodeRec, fromKeyboard = false): void {
    if (this.#collapsed.has(rec.id)) {
      this.#collapsed.delete(rec.id);
      if (!rec.built && this.#shouldBuild(rec)) {
        this.#startKids(rec);
        this.#pump(SYNC);
      }
    } else {
      this.#collapsed.add(rec.id);
      // the tab stop must not hide inside the collapsed replies
      if (this.#tabStopEl && rec.group.contains(this.#tabStopEl)) {
        const hadFocus = this.#tabStopEl.contains(document.activeElement);
        this.#active = rec.id;
        this.#setTabStop(rec.li);
        if (hadFocus) rec.li.focus({ preventScroll: true });
      }
    }
    this.#renderRec(rec);
    if (fromKeyboard) rec.li.focus({ preventScroll: true });
    else rec.card.querySelector<HTMLElement>('button[data-action="collapse"]')?.focus();
  }

  /** "Show N more replies": build the next batch; focus moves to the first new reply (the button moves on). */
  #showMore(rec: NodeRec): void {
    const before = new Set(Array.from(rec.group.children, (li) => (li as HTMLElement).dataset.commentId));
    this.#revealed.set(rec.id, rec.kids + MORE_BATCH);
    this.#dropCursor(rec.id);
    this.#startKids(rec);
    this.#pump(SYNC);
    this.#buildKids(rec);
    const first = Array.from(rec.group.children).find((li) => !before.has((li as HTMLElement).dataset.commentId));
    if (first) this.#focusStop(first as HTMLElement);
  }

  /** "Continue this thread": build the replies below a cut point in place; focus its first reply. */
  #continueThread(rec: NodeRec): void {
    this.#continued.add(rec.id);
    if (!rec.built && this.#shouldBuild(rec)) {
      this.#startKids(rec);
      this.#pump(SYNC);
    }
    this.#renderRec(rec);
    this.#buildKids(rec);
    const first = rec.group.firstElementChild as HTMLElement | null;
    if (first) this.#focusStop(first);
  }

  // ---- keyboard (WAI-ARIA tree view, roving tabindex) --------------------------------------

  /** Exactly one tree item has tabindex=0. */
  #setTabStop(li: HTMLElement): void {
    if (this.#tabStopEl === li) return;
    if (this.#tabStopEl) this.#tabStopEl.tabIndex = -1;
    li.tabIndex = 0;
    this.#tabStopEl = li;
  }

  /** Keep a tab stop in the tree: the current item if built and visible, else the first comment. */
  #ensureTabStop(): void {
    const cur = this.#tabStopEl;
    if (cur && cur.isConnected && this.#treeEl.contains(cur)) return;
    const act = this.#active !== null ? this.#nodes.get(this.#active) : undefined;
    const li = act && this.#treeEl.contains(act.li) ? act.li : (this.#treeEl.firstElementChild as HTMLElement | null);
    if (li) this.#setTabStop(li);
    else this.#tabStopEl = null;
  }

  #onFocusIn(e: FocusEvent): void {
    const t = e.target as HTMLElement | null;
    const li = t?.closest<HTMLElement>('[role="treeitem"][data-comment-id]');
    if (!li || !this.#treeEl.contains(li)) return;
    const id = li.dataset.commentId ?? "";
    if (!this.#nodes.has(id)) return;
    this.#active = id;
    this.#setTabStop(li);
    if (t === li) this.#updatePosition();
  }

  /**
   * aria-posinset / aria-setsize on the focused item only, counted over all its shown siblings
   * (replies behind "more" included), recomputed on focus and after every change.
   */
  #updatePosition(): void {
    const doc = this.root.ownerDocument;
    const li = doc.activeElement as HTMLElement | null;
    if (!li || li.getAttribute("role") !== "treeitem" || !this.#treeEl.contains(li)) return;
    const rec = this.#nodes.get(li.dataset.commentId ?? "");
    if (!rec) return;
    const store = this.#ctx.store;
    let size = 0;
    let pos = 1;
    for (const k of store.childIds(rec.parent)) {
      if (!this.#shown(k)) continue;
      size++;
      if (k !== rec.id && store.compare(k, rec.id, this.#renderedSort) < 0) pos++;
    }
    li.setAttribute("aria-setsize", String(size));
    li.setAttribute("aria-posinset", String(pos));
  }

  /** The focused tree stop (an item or a more/continue button), to restore after a rebuild. */
  #focusedStop(): { id: string; tail: boolean } | null {
    const el = this.root.ownerDocument.activeElement as HTMLElement | null;
    if (!el || !this.#treeEl.contains(el)) return null;
    if (el.getAttribute("role") === "treeitem") return { id: el.dataset.commentId ?? "", tail: false };
    const li = el.closest<HTMLElement>("[data-comment-id]");
    if (li && el.closest(".tw-tail")) return { id: li.dataset.commentId ?? "", tail: true };
    return null;
  }

  #restoreFocus(f: { id: string; tail: boolean } | null): void {
    if (!f) return;
    if (this.root.ownerDocument.activeElement && this.#treeEl.contains(this.root.ownerDocument.activeElement)) return;
    const rec = this.#materialize(f.id);
    if (!rec) {
      // it went behind "more" (a sort): the tab stop moved to its parent
      this.#ensureTabStop();
      this.#tabStopEl?.focus({ preventScroll: true });
      return;
    }
    if (f.tail && rec.tailBtn) rec.tailBtn.focus({ preventScroll: true });
    else {
      this.#setTabStop(rec.li);
      rec.li.focus({ preventScroll: true });
    }
  }

  #focusStop(el: HTMLElement): void {
    if (el.getAttribute("role") === "treeitem") {
      this.#active = el.dataset.commentId ?? null;
      this.#setTabStop(el);
    }
    el.focus({ preventScroll: true });
    const target = el.getAttribute("role") === "treeitem" ? (el.firstElementChild as HTMLElement | null) : el;
    if (target && typeof target.scrollIntoView === "function") target.scrollIntoView({ block: "nearest" });
    if (el.getAttribute("role") === "treeitem") this.#updatePosition();
  }

  /**
   * Make sure every reply of `rec` this view shows has a node now (navigation must not wait
   * for the progressive build), and settle its "more" row.
   */
  #buildKids(rec: NodeRec): void {
    if (!rec.built || this.#collapsed.has(rec.id)) return;
    const cap = this.#capOf(rec);
    for (const id of this.#kidsOf(rec.id)) {
      if (rec.kids >= cap) break;
      if (!this.#nodes.has(id)) this.#addNode(id, rec);
    }
    this.#dropCursor(rec.id);
    this.#updateTail(rec);
    this.#schedule();
    this.#syncState();
  }

  /** The node of `id`, built now if the progressive build has not reached it (ancestors first). */
  #materialize(id: string): NodeRec | null {
    const have = this.#nodes.get(id);
    if (have) return have;
    const store = this.#ctx.store;
    if (!this.#shown(id)) return null;
    const parent = store.parentOf(id);
    if (parent === null) {
      const rec = this.#addNode(id, null);
      this.#schedule();
      this.#syncState();
      return rec;
    }
    const prec = this.#materialize(parent);
    if (!prec) return null;
    this.#buildKids(prec);
    return this.#nodes.get(id) ?? null;
  }

  #recOf(el: Element | null): NodeRec | null {
    const id = (el as HTMLElement | null)?.dataset?.commentId;
    return id ? (this.#nodes.get(id) ?? null) : null;
  }

  /** The top-level comment next to `rec` (+1) or before it (-1), built if needed. */
  #topSibling(rec: NodeRec, dir: 1 | -1): HTMLElement | null {
    if (this.idle) return (dir > 0 ? rec.li.nextElementSibling : rec.li.previousElementSibling) as HTMLElement | null;
    const order = this.#kidsOf(ROOT);
    const i = order.indexOf(rec.id);
    const id = i < 0 ? undefined : order[i + dir];
    return id === undefined ? null : (this.#materialize(id)?.li ?? null);
  }

  #sibling(rec: NodeRec, dir: 1 | -1): HTMLElement | null {
    if (rec.parent === ROOT) return this.#topSibling(rec, dir);
    const prec = this.#nodes.get(rec.parent);
    if (prec) this.#buildKids(prec);
    return (dir > 0 ? rec.li.nextElementSibling : rec.li.previousElementSibling) as HTMLElement | null;
  }

  /** The first stop inside `rec` (its first reply, or its continue/more button). */
  #firstInside(rec: NodeRec): HTMLElement | null {
    if (this.#collapsed.has(rec.id)) return null;
    this.#buildKids(rec);
    if (rec.built && rec.group.firstElementChild && !rec.group.hidden) return rec.group.firstElementChild as HTMLElement;
    return rec.tailBtn;
  }

  /** The last stop of the subtree of `rec` in document order. */
  #lastStopIn(rec: NodeRec): HTMLElement {
    for (;;) {
      if (this.#collapsed.has(rec.id)) return rec.li;
      this.#buildKids(rec);
      if (rec.tailBtn) return rec.tailBtn;
      const last = rec.built && !rec.group.hidden ? this.#recOf(rec.group.lastElementChild) : null;
      if (!last) return rec.li;
      rec = last;
    }
  }

  /** The stop after the whole subtree of `rec`. */
  #afterSubtree(rec: NodeRec): HTMLElement | null {
    for (;;) {
      const next = this.#sibling(rec, 1);
      if (next) return next;
      const prec = this.#nodes.get(rec.parent);
      if (!prec) return null;
      if (prec.tailBtn) return prec.tailBtn;
      rec = prec;
    }
  }

  #nextStop(el: HTMLElement): HTMLElement | null {
    const rec = this.#recOf(el.closest("[data-comment-id]"));
    if (!rec) return null;
    if (el === rec.li) return this.#firstInside(rec) ?? this.#afterSubtree(rec);
    return this.#afterSubtree(rec); // from its continue/more button
  }

  #prevStop(el: HTMLElement): HTMLElement | null {
    const rec = this.#recOf(el.closest("[data-comment-id]"));
    if (!rec) return null;
    if (el !== rec.li) {
      // from a button: the last reply above it, or the comment itself
      const last = rec.built && !rec.group.hidden ? this.#recOf(rec.group.lastElementChild) : null;
      return last ? this.#lastStopIn(last) : rec.li;
    }
    const prev = this.#sibling(rec, -1);
    if (prev) {
      const prec = this.#recOf(prev);
      return prec ? this.#lastStopIn(prec) : prev;
    }
    return this.#nodes.get(rec.parent)?.li ?? null;
  }

  #firstStop(): HTMLElement | null {
    if (this.idle) return this.#treeEl.firstElementChild as HTMLElement | null;
    const id = this.#kidsOf(ROOT)[0];
    return id === undefined ? null : (this.#materialize(id)?.li ?? null);
  }

  #lastStop(): HTMLElement | null {
    let li: HTMLElement | null;
    if (this.idle) li = this.#treeEl.lastElementChild as HTMLElement | null;
    else {
      const id = this.#kidsOf(ROOT).at(-1);
      li = id === undefined ? null : (this.#materialize(id)?.li ?? null);
    }
    const rec = this.#recOf(li);
    return rec ? this.#lastStopIn(rec) : null;
  }

  #onTreeKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const t = e.target as HTMLElement | null;
    if (!t || !this.#treeEl.contains(t)) return;
    const isItem = t.getAttribute("role") === "treeitem" && this.#recOf(t) !== null;
    // The more/continue buttons are tree stops too; every other control keeps its keys.
    const isNavBtn = !isItem && t.tagName === "BUTTON" && t.parentElement?.classList.contains("tw-tail") === true;
    if (!isItem && !isNavBtn) return;
    const rec = this.#recOf(t.closest("[data-comment-id]"));
    if (!rec) return;
    const store = this.#ctx.store;
    let to: HTMLElement | null | undefined;
    switch (e.key) {
      case "ArrowDown":
      case "j":
        to = this.#nextStop(t);
        break;
      case "ArrowUp":
      case "k":
        to = this.#prevStop(t);
        break;
      case "Home":
        to = this.#firstStop();
        break;
      case "End":
        to = this.#lastStop();
        break;
      case "ArrowRight":
        if (!isItem) return;
        if (this.#collapsed.has(rec.id) && this.#hasShownChildren(rec.id)) {
          this.#toggleCollapse(rec, true);
          to = null;
        } else to = this.#firstInside(rec);
        break;
      case "ArrowLeft":
        if (isItem && !this.#collapsed.has(rec.id) && this.#hasShownChildren(rec.id)) {
          this.#toggleCollapse(rec, true);
          to = null;
        } else to = isItem ? (this.#nodes.get(rec.parent)?.li ?? null) : rec.li;
        break;
      case "Enter":
      case " ":
        if (!isItem) return; // a button activates itself
        if (this.#hasShownChildren(rec.id)) this.#toggleCollapse(rec, true);
        to = null;
        break;
      case "r": {
        if (!isItem || this.#ctx.readOnly()) return;
        const reply = rec.card.querySelector('button[data-action="reply"]');
        if (!reply) return;
        if (this.#openComposer.get(rec.id) === `reply:${rec.id}`) rec.composer?.focus();
        else this.#toggleComposer(rec, `reply:${rec.id}`);
        to = null;
        break;
      }
      case "l": {
        if (!isItem || this.#ctx.readOnly()) return;
        if (!rec.card.querySelector('button[data-action="like"]')) return;
        const c = store.display(rec.id);
        if (!c) return;
        this.#act({ type: c.liked_by.includes(store.user) ? "unlike" : "like", id: rec.id });
        to = null;
        break;
      }
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (to) this.#focusStop(to);
  }

  #toggleComposer(rec: NodeRec, key: string): void {
    if (this.#openComposer.get(rec.id) === key) {
      this.#closeComposer(rec, false);
      return;
    }
    if (key.startsWith("edit:") && !this.#drafts.has(key)) {
      this.#drafts.set(key, { text: this.#ctx.store.display(rec.id)?.body ?? "", error: null });
    }
    this.#openComposer.set(rec.id, key);
    this.#mountComposer(rec);
    this.#renderRec(rec);
    rec.composer?.focus();
  }

  #closeComposer(rec: NodeRec, keepDraft: boolean): void {
    const key = this.#openComposer.get(rec.id);
    this.#openComposer.delete(rec.id);
    if (key && !keepDraft) this.#drafts.delete(key);
    rec.slot.replaceChildren();
    rec.composer = null;
    rec.composerKey = null;
    this.#renderRec(rec);
  }

  /** Put the open composer of `rec` (reply or edit) into its slot, with its draft. */
  #mountComposer(rec: NodeRec): void {
    const key = this.#openComposer.get(rec.id);
    if (!key) return;
    if (rec.composer && rec.composerKey === key) return;
    const edit = key.startsWith("edit:");
    const c = this.#ctx.store.display(rec.id);
    const d = this.#drafts.get(key);
    const comp: Composer = new Composer({
      key,
      label: edit ? this.#fmt.t("edit_label") : this.#fmt.t("reply_to", { author: c?.author ?? "" }),
      placeholder: edit ? this.#fmt.t("edit_placeholder") : this.#fmt.t("reply_placeholder", { author: c?.author ?? "" }),
      submitText: edit ? this.#fmt.t("save") : this.#fmt.t("reply"),
      fmt: this.#fmt,
      text: d?.text ?? "",
      error: d?.error ?? null,
      maxBody: this.#ctx.maxBody,
      onInput: (t) => this.#drafts.set(key, { text: t, error: null }),
      onCancel: () => {
        this.#closeComposer(rec, false);
        rec.card.querySelector<HTMLElement>(`button[data-action="${edit ? "edit" : "reply"}"]`)?.focus();
      },
      onSubmit: (body) => {
        const store = this.#ctx.store;
        if (edit && body === store.display(rec.id)?.body) {
          this.#closeComposer(rec, false);
          return;
        }
        const op: Op = edit
          ? { type: "edit", id: rec.id, body }
          : { type: "add", id: store.nextCommentId(), parent_id: rec.id, body };
        this.#closeComposer(rec, false);
        const rid = store.submit(op);
        this.#ownRids.set(rid, { key, text: body });
      },
    });
    rec.slot.replaceChildren(comp.el);
    rec.composer = comp;
    rec.composerKey = key;
  }
}
