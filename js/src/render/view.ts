/**
 * One view of a thread: post, toolbar, new-comment composer and the comment tree.
 *
 * The pieces, one concern each: render/tree.ts builds the tree (keyed nodes, progressive build),
 * render/updates.ts applies changes to it, render/nav.ts moves through it with the keyboard,
 * render/search.ts searches the whole thread, render/drafts.ts keeps composers and drafts. This
 * file wires them to the store and the model, and owns the chrome around the tree. Per-view state
 * (collapsed subtrees, open composers, drafts) lives in the view and survives every event.
 * What a view owns, by name: its chrome (`Chrome`), its parts (`Parts`), its trees (`Trees`),
 * the connection and what it sent (`Sending`), the reader's position (`Reading`).
 */
import type { Config, Sort } from "../protocol";
import { GONE_REASON, LOST_REASON, OFFLINE_REASON, SORTS } from "../protocol";
import type { Link } from "../connection";
import type { Change, RejectNotice, ThreadStore } from "../state";
import { ROOT } from "../state";
import { renderCard } from "./comment";
import { renderPost } from "./post";
import { Replay } from "./timeline";
import { WhyOrder } from "./why";
import { CustomActions, changedActionIds } from "./actions";
import { ModerationUI } from "./moderation";
import { absoluteTime, h, refocus, refreshTimes } from "./dom";
import type { Fmt } from "../strings";
import { avatarUrl, type Options } from "../options";
import type { ViewContext } from "./context";
import { Drafts } from "./drafts";
import { Clicks } from "./clicks";
import { Flash } from "./flash";
import { SearchBox } from "./search";
import { Tree, type NodeRec, type SearchResult, type Shared } from "./tree";
import { paint, refreshIds } from "./updates";
import { shapeOf, type Shape } from "./layout";

export type { ViewContext } from "./context";
export {
  CHUNK_THREADS,
  CONTINUE_DEPTH,
  FIRST_SCREEN_THREADS,
  MAX_INDENT_DEPTH,
  MORE_BATCH,
  REORDER_IN_PLACE_MAX,
} from "./tree";
export { SEARCH_DEBOUNCE_MS } from "./search";
/** How long a focused comment stays highlighted (ms). */
export { FOCUS_FLASH_MS } from "./flash";

/** Controls that send something to the kernel (unavailable while it cannot be reached). */
const SENDS = [
  "like",
  "vote",
  "label",
  "delete",
  "submit",
  "unflag",
  "custom-action",
  "replay-prev",
  "replay-play",
  "replay-next",
  "replay-live",
]
  .map((a) => `button[data-action="${a}"]`)
  .concat(['button[data-role="mod-confirm"]', 'button[data-role="replay-toggle"]'])
  .join(", ");

/** Where the reader was typing: the composer's key, the selection and the scroll. */
interface Caret {
  key: string;
  start: number;
  end: number;
  dir: "forward" | "backward" | "none";
  scroll: number;
}

/** The normal tree, put aside while a search is active (restored as it was). */
interface Saved {
  tree: Tree;
  scroll: () => void;
  /** changed meanwhile: refreshed on restore */
  dirty: Set<string>;
  reset: boolean;
}

/** The chrome around the tree: the view's own elements (the tree's are render/tree.ts's). */
interface Chrome {
  post: HTMLElement;
  /** "saved snapshot" note of a page exported without a kernel */
  note: HTMLElement;
  /** the one-line connection notice (kernel lost, restarting, gone) */
  link: HTMLElement;
  count: HTMLElement;
  sort: HTMLSelectElement;
  sortLabel: HTMLElement;
  /** why this view's click was refused */
  banner: HTMLElement;
  newComment: HTMLElement;
  empty: HTMLElement;
  /** the tree's box: scrolls by itself with `options.max_height` */
  box: HTMLElement;
  comments: HTMLElement;
  /** `w.css`: in the DOM only while there is CSS to apply */
  style: HTMLStyleElement;
}

/** The parts the view wires together, one concern each. */
interface Parts {
  drafts: Drafts;
  clicks: Clicks;
  /** reports, moderation menus and reason forms, the thread lock (render/moderation.ts) */
  mod: ModerationUI;
  replay: Replay;
  /** "Why this order?" (render/why.ts) */
  why: WhyOrder;
  /** custom action buttons of `w.add_action` (render/actions.ts) */
  custom: CustomActions;
}

/** The tree shown, and the normal one put aside while a search tree is shown. */
interface Trees {
  shown: Tree;
  saved: Saved | null;
  /** per-view state every tree of this view shares (revealed, continued, auto-collapsed) */
  shared: Shared;
  searchBox: SearchBox;
}

/** Whether the kernel can be reached, and what became of what this view sent. */
interface Sending {
  link: Link;
  /** while offline: keeps new controls marked unavailable */
  offlineObs: MutationObserver | null;
  /** hides the refusal banner */
  bannerTimer: ReturnType<typeof setTimeout> | null;
}

/** Where the reader is: what waits to get the focus back, and the focus highlight. */
interface Reading {
  /** a composer typed in that a redraw put off (built later): focus and caret go back there */
  caret: Caret | null;
  /** `w.focus(id)` for a comment this view does not have yet */
  focus: string | null;
  flash: Flash;
}

export class ThreadView {
  readonly root: HTMLElement;
  /** what the view draws: the live context, or a read-only copy on a replay store while replaying */
  #ctx: ViewContext;
  #live: ViewContext;
  #fmt: Fmt;
  #opts: Options;
  /** the last `_config` drawn (its key skips a redraw for an unchanged one) */
  #config: { key: string; last: Partial<Config> };
  #el: Chrome;
  #parts: Parts;
  #trees: Trees;
  #sending: Sending = { link: "live", offlineObs: null, bannerTimer: null };
  #reading: Reading = { caret: null, focus: null, flash: new Flash() };
  #life: { destroyed: boolean; unsubs: (() => void)[]; clock: ReturnType<typeof setInterval> | null } = {
    destroyed: false,
    unsubs: [],
    clock: null,
  };

  constructor(host: HTMLElement, ctx: ViewContext) {
    this.#ctx = this.#live = ctx;
    this.#fmt = ctx.fmt();
    this.#opts = ctx.options();
    this.#config = { key: "", last: ctx.config() };
    const mod = new ModerationUI({
      store: () => this.#ctx.store,
      fmt: () => this.#fmt,
      readOnly: () => this.#ctx.readOnly(),
      act: (op) => this.#parts.clicks.act(op),
      redraw: (id) => {
        const rec = this.#trees.shown.nodes.get(id);
        if (rec) paint(this.#trees.shown, rec);
        return rec !== undefined;
      },
      card: (id) => this.#trees.shown.nodes.get(id)?.card,
    });
    const replay = new Replay({ live: ctx.store, fmt: () => this.#fmt, show: (s) => this.#showStore(s) });
    const why = new WhyOrder({
      store: () => this.#ctx.store,
      sort: () => this.#trees.shown.sort,
      shape: () => this.#trees.shown.shape,
      fmt: () => this.#fmt,
      cards: () => this.#trees.shown.nodes.values(),
      card: (id) => this.#trees.shown.nodes.get(id)?.card,
    });
    this.root = h("div", { class: "tw-root", "data-lm-suppress-shortcuts": "true" });
    // The widget owns its keys: Lumino looks for this attribute from the key's target up and
    // stops before a control that matches a notebook shortcut's selector (a focused button
    // matches command mode's), so every control gets it the moment it takes the focus.
    this.root.addEventListener("focusin", (e) => {
      const t = e.target as Element | null;
      if (
        t &&
        t !== this.root &&
        typeof t.setAttribute === "function" &&
        !t.hasAttribute("data-lm-suppress-shortcuts")
      ) {
        t.setAttribute("data-lm-suppress-shortcuts", "true");
      }
    });
    const custom = new CustomActions(this.root, {
      store: ctx.store,
      fmt: () => this.#fmt,
      config: () => this.#live.config(),
      interactive: () => !this.#ctx.readOnly() && this.#live.store.role !== "reader",
    });
    const drafts = new Drafts({
      ctx: () => this.#ctx,
      fmt: () => this.#fmt,
      paint: (rec) => paint(this.#trees.shown, rec),
      node: (id) => this.#trees.shown.nodes.get(id),
      sent: (id) => {
        // Show the new comment where the sort put it (the bottom, for "oldest").
        const li = this.#trees.shown.nodes.get(id)?.li;
        if (li && typeof li.scrollIntoView === "function") li.scrollIntoView({ block: "nearest" });
      },
      banner: (msg) => this.#showBanner(msg),
    });
    const clicks = new Clicks({ ctx: () => this.#ctx, tree: () => this.#trees.shown, mod, drafts });
    this.#parts = { drafts, clicks, mod, replay, why, custom };
    const shared: Shared = { revealed: new Map(), continued: new Set(), autoCollapsed: new Set() };
    const shown = this.#newTree(null, shared);
    this.#trees = { shown, saved: null, shared, searchBox: new SearchBox(() => this.#applySearch()) };
    const search = this.#trees.searchBox;

    const sort = h("select", { class: "tw-sort", "data-role": "sort" });
    for (const s of SORTS) sort.append(h("option", { value: s }));
    sort.value = shown.sort;
    sort.addEventListener("change", () => {
      const v = sort.value as Sort;
      if (!SORTS.includes(v)) return;
      this.#ctx.setSort(v);
      this.setSort(v);
    });
    const count = h("span", { class: "tw-count", "data-role": "count", "aria-live": "polite" });
    const sortLabel = h("span", {});
    const banner = h("div", { class: "tw-error tw-banner", "data-role": "error", role: "alert", hidden: true });
    const newComment = h("div", { class: "tw-new-comment", "data-role": "new-comment" });
    const empty = h("p", { class: "tw-empty", hidden: true });
    const box = h("div", { class: "tw-tree-box" }, shown.el);
    const toolbar = h(
      "div",
      { class: "tw-toolbar" },
      count,
      h(
        "div",
        { class: "tw-tools" },
        search.matchesEl,
        search.box,
        search.filterEl,
        h("label", { class: "tw-sort-label" }, sortLabel, sort),
        why.toggle,
        replay.toggle,
        custom.toolbar,
      ),
    );
    this.#el = {
      post: h("article", { class: "tw-post", "data-role": "post" }),
      note: h("p", { class: "tw-snapshot-note", "data-role": "snapshot-note", role: "note", hidden: true }),
      link: h("p", {
        class: "tw-link-note",
        "data-role": "connection",
        role: "status",
        "aria-live": "polite",
        hidden: true,
      }),
      count,
      sort,
      sortLabel,
      banner,
      newComment,
      empty,
      box,
      comments: h(
        "section",
        { class: "tw-comments" },
        toolbar,
        replay.bar,
        banner,
        mod.threadEl,
        newComment,
        empty,
        why.note,
        box,
      ),
      // w.css: the widget's own <style>, inside this view's root (gone with the view)
      style: h("style", { "data-role": "custom-css" }),
    };
    this.root.append(this.#el.note, this.#el.link, this.#el.post, this.#el.comments);
    this.#applyLabels();
    this.#applyLayout();
    this.setCss(ctx.css());
    host.append(this.root);

    this.#life.unsubs.push(ctx.store.subscribe((c) => this.#onChange(c)));
    this.#life.unsubs.push(ctx.store.onReject((r) => this.#onReject(r)));
    this.#life.unsubs.push(ctx.store.onFocus((id) => this.focusComment(id)));

    this.#renderPost();
    this.#renderNewComposer();
    this.#updateCount();
    this.#rebuildTree();
    this.#life.clock = setInterval(() => refreshTimes(this.root, this.#fmt), 60_000);
  }

  destroy(): void {
    if (this.#life.destroyed) return;
    this.#life.destroyed = true;
    this.#parts.replay.dispose();
    this.#parts.custom.dispose();
    this.#trees.searchBox.dispose();
    for (const u of this.#life.unsubs) u();
    this.#life.unsubs = [];
    this.#trees.shown.dispose();
    this.#trees.saved?.tree.dispose();
    if (this.#life.clock !== null) clearInterval(this.#life.clock);
    this.#parts.clicks.dispose();
    if (this.#sending.bannerTimer !== null) clearTimeout(this.#sending.bannerTimer);
    this.#reading.flash.dispose();
    this.#sending.offlineObs?.disconnect();
    this.#sending.offlineObs = null;
    this.root.remove();
  }

  // ---- drafts keep their focus and caret through any redraw ---------------------------------

  /**
   * Run a redraw that may rebuild or move the composer being typed in (a sort, a lock, new
   * words, a reset): the focus, caret and scroll come back to it at once (the same element, or
   * the one the draft was remounted in), so no keystroke lands outside. A composer the
   * progressive build has not reached yet gets them when it is built.
   */
  #keepTyping(fn: () => void): void {
    const doc = this.root.ownerDocument;
    const a = doc.activeElement;
    const typing = a instanceof HTMLTextAreaElement && this.root.contains(a) ? a : null;
    const key = typing?.closest<HTMLElement>("[data-composer]")?.dataset.composer ?? null;
    if (!typing || key === null) return fn();
    const caret = {
      key,
      start: typing.selectionStart,
      end: typing.selectionEnd,
      dir: typing.selectionDirection,
      scroll: typing.scrollTop,
    };
    fn();
    if (doc.activeElement === typing) return;
    if (!this.#restoreCaret(caret)) this.#reading.caret = caret;
  }

  #restoreCaret(c: Caret): boolean {
    const el = Array.from(this.root.querySelectorAll<HTMLElement>("[data-composer]")).find(
      (x) => x.dataset.composer === c.key,
    );
    const ta = el?.querySelector("textarea");
    if (!ta) return false;
    this.#reading.caret = null;
    ta.focus({ preventScroll: true });
    const n = ta.value.length;
    ta.setSelectionRange(Math.min(c.start, n), Math.min(c.end, n), c.dir);
    ta.scrollTop = c.scroll;
    return true;
  }

  // ---- the kernel's reachability (connection.ts) ------------------------------------------

  /**
   * The kernel went away or came back: one line says so; what would send something is marked
   * unavailable (aria-disabled: it keeps its focus and says why when pressed); drafts stay.
   */
  setLink(link: Link): void {
    if (this.#life.destroyed || link === this.#sending.link) return;
    this.#sending.link = link;
    this.root.dataset.link = link;
    this.#renderLink();
    const offline = link !== "live";
    this.root.classList.toggle("tw-offline", offline);
    if (offline && !this.#sending.offlineObs && typeof MutationObserver === "function") {
      this.#sending.offlineObs = new MutationObserver(() => this.#markSends(true));
      this.#sending.offlineObs.observe(this.root, { childList: true, subtree: true });
    } else if (!offline) {
      this.#sending.offlineObs?.disconnect();
      this.#sending.offlineObs = null;
    }
    this.#markSends(offline);
  }

  #renderLink(): void {
    const link = this.#sending.link;
    const el = this.#el.link;
    el.hidden = link === "live";
    el.textContent =
      link === "lost"
        ? this.#fmt.t("link_lost")
        : link === "restarting"
          ? this.#fmt.t("link_restarting")
          : link === "gone"
            ? this.#fmt.t("link_gone")
            : "";
  }

  /** The controls that send something to the kernel, marked (un)available. */
  #markSends(off: boolean): void {
    const sel = SENDS;
    for (const b of Array.from(this.root.querySelectorAll<HTMLElement>(sel))) {
      if (off) {
        if (b.getAttribute("aria-disabled") !== "true") {
          b.setAttribute("aria-disabled", "true");
          b.dataset.offline = "true";
        }
      } else if (b.dataset.offline === "true") {
        b.removeAttribute("aria-disabled");
        delete b.dataset.offline;
      }
    }
  }

  /** True once every comment this view builds (not collapsed, not behind "more"/"continue") is in the DOM. */
  get idle(): boolean {
    return this.#trees.shown.idle;
  }

  /** The element of a rendered comment (for tests and tools). */
  element(id: string): HTMLLIElement | undefined {
    return this.#trees.shown.nodes.get(id)?.li;
  }

  #newTree(search: SearchResult | null, shared: Shared = this.#trees.shared): Tree {
    return new Tree(
      {
        ctx: () => this.#ctx,
        fmt: () => this.#fmt,
        opts: () => this.#opts,
        destroyed: () => this.#life.destroyed,
        card: (rec, t) => this.#renderCard(rec, t.shape),
        mountComposer: (rec) => this.#parts.drafts.mount(rec),
        hasComposer: (id) => this.#parts.drafts.open.has(id),
        onBuilt: (t) => {
          if (t !== this.#trees.shown) return;
          this.#syncState();
          if (this.#reading.caret && this.root.ownerDocument.activeElement === this.root.ownerDocument.body)
            this.#restoreCaret(this.#reading.caret);
        },
        onClick: (e, t) => this.#parts.clicks.onClick(e, t),
        onKey: (e, t) => {
          if (e.key === "Escape" && this.#parts.mod.escape(e.target as Element | null)) {
            e.preventDefault();
            e.stopPropagation();
            return;
          }
          t.nav.onKey(e, {
            readOnly: () => this.#ctx.readOnly(),
            reply: (rec) => this.#parts.drafts.reply(rec),
            like: (rec) => this.#parts.clicks.toggleLike(rec.id),
          });
        },
        onSelect: (id) => this.#ctx.select?.(id),
      },
      shared,
      search,
      this.#ctx.sort(),
    );
  }

  // ---- external changes ----------------------------------------------------------------

  setSort(sort: Sort): void {
    this.#keepTyping(() => this.#setSort(sort));
  }

  #setSort(sort: Sort): void {
    if (!SORTS.includes(sort)) return;
    this.#el.sort.value = sort;
    if (sort === this.#trees.shown.targetSort) return;
    this.#parts.why.invalidate();
    this.#trees.shown.resort(sort, () => this.#scrollAnchor());
    this.#parts.why.relabel();
    this.#syncState();
    this.#parts.why.redraw();
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
    this.#parts.replay.toggle.hidden = !!savedAt; // a saved page has no kernel to replay from
    if (!savedAt) {
      this.#el.note.hidden = true;
      return;
    }
    const ts = Date.parse(savedAt);
    const when = Number.isNaN(ts) ? savedAt : absoluteTime(ts, this.#fmt);
    this.#el.note.dataset.savedAt = savedAt;
    this.#el.note.textContent = this.#fmt.t("snapshot_note", { time: when });
    this.#el.note.hidden = false;
  }

  /** `w.strings` or `w.locale` changed: every label and time again (per-view state kept). */
  setFmt(fmt: Fmt): void {
    this.#keepTyping(() => this.#setFmt(fmt));
  }

  #setFmt(fmt: Fmt): void {
    this.#fmt = fmt;
    this.#applyLabels();
    this.#renderLink();
    const saved = this.#el.note.dataset.savedAt;
    if (!this.#el.note.hidden && saved) this.setSnapshotNote(saved);
    this.#renderPost();
    this.#updateMatches();
    this.refreshAll();
  }

  /** `w.options` changed: classes at once; indentation, times and collapsing by a redraw. */
  setOptions(opts: Options): void {
    this.#keepTyping(() => this.#setOptions(opts));
  }

  #setOptions(opts: Options): void {
    const old = this.#opts;
    this.#opts = opts;
    this.#applyLayout();
    if (old.collapsed_depth !== opts.collapsed_depth) this.#trees.shared.autoCollapsed.clear();
    const avatarsChanged = old.avatars !== opts.avatars;
    const repliesChanged = old.counts.includes("replies") !== opts.counts.includes("replies");
    if (old.timestamps !== opts.timestamps || avatarsChanged) this.#renderPost();
    if (
      old.max_indent !== opts.max_indent ||
      old.timestamps !== opts.timestamps ||
      old.collapsed_depth !== opts.collapsed_depth ||
      avatarsChanged ||
      repliesChanged
    ) {
      this.refreshAll();
    }
  }

  /** `w.css` changed. */
  setCss(css: string): void {
    if (this.#el.style.textContent !== css) this.#el.style.textContent = css;
    if (!css) this.#el.style.remove();
    else if (this.#el.style.parentNode !== this.root) this.root.prepend(this.#el.style);
  }

  #renderPost(): void {
    this.#parts.mod.renderThread();
    const post = this.#ctx.store.post;
    renderPost(this.#el.post, post, this.#fmt, this.#opts.timestamps === "absolute", {
      cfg: this.#live.config(),
      actions: this.#parts.custom.forPost(),
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
    this.#el.box.classList.toggle("tw-scrollbox", o.max_height !== null);
    this.#el.box.style.maxHeight = o.max_height !== null ? `${o.max_height}px` : "";
    this.#trees.shown.win?.request();
  }

  /** The fixed labels of the view's chrome, from the strings table. */
  #applyLabels(): void {
    const f = this.#fmt;
    this.#parts.replay.relabel();
    this.#parts.why.relabel();
    this.#el.sort.setAttribute("aria-label", f.t("sort_label"));
    for (const opt of Array.from(this.#el.sort.options)) opt.textContent = f.t(`sort_${opt.value}`);
    this.#el.sortLabel.textContent = f.t("sort_by");
    this.#el.empty.textContent = f.t("no_comments");
    this.#trees.searchBox.relabel(f);
    this.#el.comments.setAttribute("aria-label", f.t("comments_section"));
    this.#trees.shown.el.setAttribute("aria-label", f.t("comments_section"));
  }

  /** read_only or user changed: redraw everything but keep per-view state. */
  refreshAll(): void {
    this.#keepTyping(() => this.#refreshAll());
  }

  #refreshAll(): void {
    this.#parts.custom.renderToolbar();
    this.#renderPost(); // its action buttons follow read_only and the role
    if (this.#trees.saved) {
      this.#trees.saved.reset = true;
      this.#swapSearchTree(); // "Mine" / "Liked by me" depend on the user
    }
    this.#renderNewComposer();
    this.#updateCount();
    this.#rebuildTree();
  }

  /** Replay (render/timeline.ts): draw `store` read-only instead of the live thread; null: live again. */
  #showStore(store: ThreadStore | null): void {
    if (this.#life.destroyed) return;
    this.#ctx = store ? { ...this.#live, store, readOnly: () => true } : this.#live;
    this.root.classList.toggle("tw-replaying", store !== null);
    this.refreshAll(); // the post (its lock, its actions) too
  }

  /** `_config` changed (role, voting, labels, fields, actions, badges): redraw what shows them. */
  setConfig(cfg: Partial<Config>): void {
    this.#keepTyping(() => this.#setConfig(cfg));
  }

  #setConfig(cfg: Partial<Config>): void {
    const key = JSON.stringify(cfg);
    if (key === this.#config.key) return;
    this.#config.key = key;
    const only = changedActionIds(this.#config.last, cfg);
    this.#config.last = cfg;
    if (only) {
      // only a `when` predicate's matches changed (new comments): redraw just those cards
      for (const id of only) {
        this.#trees.saved?.dirty.add(id);
        const rec = this.#trees.shown.nodes.get(id);
        if (rec) paint(this.#trees.shown, rec);
      }
      return;
    }
    this.refreshComposers();
    this.refreshAll();
  }

  /** Composers re-read the body limit. */
  refreshComposers(): void {
    this.#parts.drafts.refresh(this.#trees.shown.nodes.values());
  }

  #onChange(c: Change): void {
    if (this.#life.destroyed || this.#ctx !== this.#live) return; // replaying: live again on "Back to live"
    this.#keepTyping(() => this.#applyChange(c));
  }

  #applyChange(c: Change): void {
    this.#parts.why.invalidate();
    this.#parts.drafts.prune();
    let touched: Iterable<string> = c.ids;
    if (this.#trees.saved) {
      // Searching: the normal view catches up when it comes back; the result is recomputed.
      if (c.reset) this.#trees.saved.reset = true;
      else for (const id of c.ids) this.#trees.saved.dirty.add(id);
      const old = this.#trees.shown.search as SearchResult;
      const now = this.#searchIn();
      // the search tree reads its result from the new one from now on
      old.matches = now.matches;
      const oldVisible = old.visible;
      old.visible = now.visible;
      if (!c.reset) {
        const set = new Set(c.ids);
        for (const id of oldVisible) if (!now.visible.has(id)) set.add(id);
        for (const id of now.visible) if (!oldVisible.has(id)) set.add(id);
        for (const id of now.matches) set.add(id);
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
      if (this.#el.newComment.hidden !== (this.#ctx.readOnly() || this.#parts.mod.composerClosed()))
        this.#renderNewComposer();
      this.#updateCount();
      this.#rebuildTree();
    } else {
      refreshIds(this.#trees.shown, touched);
      this.#parts.why.changed(touched);
      this.#updateCount();
      this.#trees.shown.nav.ensureTabStop();
      this.#trees.shown.nav.updatePosition();
    }
    if (this.#reading.focus !== null && this.#ctx.store.isShown(this.#reading.focus))
      this.focusComment(this.#reading.focus);
  }

  // ---- focus (w.focus(id), `selected`) -----------------------------------------------------

  /**
   * Scroll to a comment and highlight it: open its collapsed ancestors, reveal it behind
   * "more" / "continue", build it if the progressive build has not reached it, make it the tab
   * stop. An id this view does not have yet is remembered until the comment arrives.
   */
  focusComment(id: string): void {
    if (this.#life.destroyed) return;
    const store = this.#ctx.store;
    if (!store.isShown(id)) {
      this.#reading.focus = id;
      return;
    }
    this.#reading.focus = null;
    if (this.#trees.shown.search && !this.#trees.shown.search.visible.has(id)) this.clearSearch();
    const rec = this.#jumpTo(id);
    if (rec)
      this.#reading.flash.show(rec.li, () => {
        const again = this.#life.destroyed ? null : this.#jumpTo(id);
        if (again) this.#reading.flash.moved(again.li);
      });
  }

  /** Build `id` where it is (nav.reveal), scroll it to the middle and keep it there while heights settle. */
  #jumpTo(id: string): NodeRec | null {
    const rec = this.#trees.shown.nav.reveal(id);
    if (!rec) return null;
    if (typeof rec.card.scrollIntoView === "function") rec.card.scrollIntoView({ block: "center" });
    this.#trees.shown.win?.anchorOn(rec.card);
    return rec;
  }

  // ---- search (render/search.ts computes; the result gets a tree of its own) ---------------

  /** Clear the search box and the filter: the normal view comes back as it was. */
  clearSearch(): void {
    this.#trees.searchBox.clear();
  }

  #applySearch(): void {
    if (!this.#trees.searchBox.on) {
      if (this.#trees.saved) this.#restoreView();
    } else {
      if (!this.#trees.saved) {
        // Put the normal tree aside, untouched, and build the result in a tree of its own.
        this.#trees.shown.pause();
        this.#trees.saved = { tree: this.#trees.shown, scroll: this.#scrollAnchor(), dirty: new Set(), reset: false };
      }
      this.#swapSearchTree();
      this.#rebuildTree();
    }
    this.#updateMatches();
  }

  /** A new search tree for the current query and filter, in place of the shown one. */
  #swapSearchTree(): void {
    const old = this.#trees.shown;
    const tree = this.#newTree(this.#searchIn());
    if (old !== this.#trees.saved?.tree) old.dispose();
    old.el.replaceWith(tree.el);
    this.#trees.shown = tree;
  }

  #restoreView(): void {
    const s = this.#trees.saved as Saved;
    this.#trees.saved = null;
    this.#trees.shown.dispose();
    this.#trees.shown.el.replaceWith(s.tree.el);
    this.#trees.shown = s.tree;
    if (s.reset) this.#rebuildTree();
    else {
      // Composers opened or closed meanwhile, and what changed meanwhile.
      for (const rec of this.#trees.shown.nodes.values()) {
        if (!rec.composer && !this.#parts.drafts.open.has(rec.id)) continue;
        this.#parts.drafts.unmount(rec);
        if (!this.#ctx.readOnly()) this.#parts.drafts.mount(rec);
        paint(this.#trees.shown, rec);
      }
      this.setSort(this.#ctx.sort());
      refreshIds(this.#trees.shown, s.dirty);
      this.#trees.shown.schedule();
      this.#trees.shown.nav.ensureTabStop();
      this.#syncState();
    }
    this.#updateCount();
    s.scroll();
  }

  #updateMatches(): void {
    const result = this.#trees.saved !== null ? this.#trees.shown.search : null;
    this.#trees.searchBox.show(result, this.#fmt);
    this.root.classList.toggle("tw-searching", result !== null);
  }

  #onReject(r: RejectNotice): void {
    if (r.reason === LOST_REASON) r = { ...r, reason: this.#fmt.t("no_answer") };
    else if (r.reason === OFFLINE_REASON) r = { ...r, reason: this.#fmt.t("offline_refused") };
    else if (r.reason === GONE_REASON) r = { ...r, reason: this.#fmt.t("gone_refused") };
    if (this.#parts.drafts.onReject(r)) return;
    // Not one of this view's composers: if this view pressed the button, say so.
    if (this.#parts.clicks.takeOwn(r.rid) && !this.#parts.mod.onReject(r)) this.#showBanner(r.reason);
  }

  // ---- toolbar / new comment -------------------------------------------------------------

  #updateCount(): void {
    const store = this.#ctx.store;
    this.#el.count.textContent = this.#fmt.count("comments", store.visibleCount());
    const anyShown = store.childIds(ROOT).some((id) => store.isShown(id));
    this.#el.empty.hidden = anyShown || !store.complete;
    // "false" while only a first screen is here (the rest is on its way)
    const complete = String(store.complete);
    if (this.root.dataset.complete !== complete) this.root.dataset.complete = complete;
    // the last event applied (equal to `w.seq` once the view has everything)
    this.root.dataset.seq = String(store.seq);
  }

  #renderNewComposer(): void {
    this.#parts.drafts.renderNew(this.#el.newComment, this.#ctx.readOnly() || this.#parts.mod.composerClosed());
  }

  #showBanner(msg: string): void {
    this.#el.banner.textContent = msg;
    this.#el.banner.hidden = false;
    if (this.#sending.bannerTimer !== null) clearTimeout(this.#sending.bannerTimer);
    this.#sending.bannerTimer = setTimeout(() => {
      this.#el.banner.hidden = true;
      this.#el.banner.textContent = "";
    }, 8000);
  }

  // ---- the tree ----------------------------------------------------------------------------

  #rebuildTree(): void {
    this.#parts.why.invalidate();
    this.#trees.shown.rebuild(this.#ctx.sort());
    this.#parts.why.relabel();
    this.#el.sort.value = this.#trees.shown.targetSort;
  }

  /** `.tw-root[data-state]`: "building" while the progressive build runs, then "idle". */
  #syncState(): void {
    const state = this.#trees.shown.idle ? "idle" : "building";
    if (this.root.dataset.state !== state) this.root.dataset.state = state;
  }

  /** The card of one node: the comment with this view's controls, drafts and decorations. */
  /** The search result, matches shown with their parents in the layout (render/layout.ts). */
  #searchIn(): SearchResult {
    const shape = shapeOf(this.#ctx.config().layout, this.#ctx.store);
    return this.#trees.searchBox.compute(this.#ctx.store, (id) => shape.parentOf(id));
  }

  #renderCard(rec: NodeRec, shape: Shape): void {
    const store = this.#ctx.store;
    const c = store.display(rec.id);
    if (!c) return;
    const collapsed = rec.li.classList.contains("tw-is-collapsed");
    // a button clicked or focused inside the card keeps the focus through the rebuild
    const active = rec.card.ownerDocument.activeElement;
    const hadFocus = active !== null && active.tagName === "BUTTON" && rec.card.contains(active) ? active : null;
    renderCard(rec.card, {
      comment: c,
      user: store.user,
      postAuthor: store.post?.author ?? null,
      readOnly: this.#ctx.readOnly(),
      pending: store.isPending(rec.id),
      unconfirmed: store.isUnconfirmed(rec.id),
      replies: collapsed && this.#opts.counts.includes("replies") ? store.replyCount(rec.id) : 0,
      hasChildren: rec.li.hasAttribute("aria-expanded"),
      collapsed,
      editing: this.#parts.drafts.editing(rec.id),
      armedDelete: this.#parts.clicks.armedDelete === rec.id,
      fmt: this.#fmt,
      absoluteTimes: this.#opts.timestamps === "absolute",
      avatarUrl: avatarUrl(this.#opts, c.author),
      cfg: this.#ctx.config(),
      role: store.role,
      lock: store.lockOf(rec.id),
      custom: this.#parts.custom.forComment(c),
      mod: this.#parts.mod.card(rec.id),
      mark: shape.mark(rec.id),
    });
    if (hadFocus) refocus(rec.card, hadFocus);
    this.#parts.why.decorate(rec.card, rec.id);
  }
}
