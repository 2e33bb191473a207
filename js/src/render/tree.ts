/**
 * The comment tree of one view: one record per built comment (Map id -> NodeRec), built
 * progressively (depth first, in time-boxed chunks); collapsed subtrees and replies behind
 * "more" / "continue" are built only when asked for. Keyed updates live in render/updates.ts,
 * keyboard navigation in render/nav.ts, what the reader does to it (collapse, more, continue) in
 * render/tree-actions.ts.
 *
 * A view has one Tree for its normal state and, while a search is active, a second one for the
 * result (render/search.ts): the normal tree is put aside untouched and comes back as it was.
 */
import type { Comment, Sort } from "../protocol";
import { ROOT } from "../state";
import type { Fmt } from "../strings";
import type { Options } from "../options";
import { MORE_BATCH } from "../generated/constants";
import { h } from "./dom";
import { CONTINUE_DEPTH, nodeOf, type NodeRec } from "./node";
import type { ViewContext } from "./context";
import { Nav } from "./nav";
import { paint, updateTail } from "./updates";
import { WINDOW_MIN_THREADS, Windower, sizeIn } from "./window";
import { SlicedOrder } from "./order";
import { shapeOf, type Shape } from "./layout";

/** Visual indentation stops here by default (`options.max_indent`); deeper replies stay at this indent with a thread line. */
export const MAX_INDENT_DEPTH = 6;
/** Top-level threads built synchronously on first render (about a screenful). */
export const FIRST_SCREEN_THREADS = 8;
/** Top-level threads per later chunk, and the time box of one chunk (ms). */
export const CHUNK_THREADS = 50;
export const CHUNK_BUDGET_MS = 12;
/** Time boxes (ms) of ordering a long top level: in the task that asks, then per later task. */
const ORDER_SYNC_MS = 20;
const ORDER_SLICE_MS = 10;
const ORDER_SYNC_MAX = 5000;
/** Up to this many rendered comments, a sort change moves the existing nodes in place. */
export const REORDER_IN_PLACE_MAX = 1500;
/**
 * Lazy limits (like Reddit): a comment shows at most this many direct replies, then "Show N more
 * replies" (same batch again); a reply chain is cut at CONTINUE_DEPTH (render/node.ts).
 */
export { MORE_BATCH }; // the same number in Python's first screen (generated/constants.ts)
/** Node caps for the synchronous builds (first screen, and subtrees revealed by an event or click). */
const FIRST_SCREEN_NODES = 40;
const SYNC_NODES = 200;

export interface BuildLimits {
  budgetMs: number;
  threads: number;
  nodes: number;
}
export const FIRST: BuildLimits = { budgetMs: Infinity, threads: FIRST_SCREEN_THREADS, nodes: FIRST_SCREEN_NODES };
const CHUNK: BuildLimits = { budgetMs: CHUNK_BUDGET_MS, threads: CHUNK_THREADS, nodes: Infinity };
export const SYNC: BuildLimits = { budgetMs: Infinity, threads: Infinity, nodes: SYNC_NODES };

export type { NodeRec } from "./node";
export { CONTINUE_DEPTH } from "./node";

export interface SearchResult {
  /** comments that match */
  matches: Set<string>;
  /** matches and their ancestors (shown dimmed, for context) */
  visible: Set<string>;
  /** the lower-cased query (empty for a filter alone) */
  query: string;
}

interface Cursor {
  parent: string;
  group: HTMLElement;
  ids: string[];
  i: number;
  depth: number;
  last: Element | null;
}

/** What a tree needs from its view. */
export interface TreeHost {
  ctx(): ViewContext;
  fmt(): Fmt;
  opts(): Options;
  destroyed(): boolean;
  /** fill a comment's card (render/updates.ts does the tree's part) */
  card(rec: NodeRec, t: Tree): void;
  /** put an open reply/edit composer into a new node's slot */
  mountComposer(rec: NodeRec): void;
  hasComposer(id: string): boolean;
  /** a comment was removed from the tree (its composer goes too) */
  onBuilt(t: Tree): void;
  onClick(e: MouseEvent, t: Tree): void;
  onKey(e: KeyboardEvent, t: Tree): void;
  /** the tree item now focused / selected by the user */
  onSelect(id: string): void;
}

/** Per-view state shared by the normal tree and a search tree. */
export interface Shared {
  /** "Show N more replies": comment id -> how many direct replies this view builds */
  revealed: Map<string, number>;
  /** "Continue this thread" pressed on these cut points */
  continued: Set<string>;
  /** comments this view has met at `options.collapsed_depth` (collapsed once, on first sight) */
  autoCollapsed: Set<string>;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

export class Tree {
  readonly el: HTMLUListElement;
  readonly nav: Nav;
  nodes = new Map<string, NodeRec>();
  collapsed = new Set<string>();
  /** keyboard: the current tree item (roving tabindex) and the element holding tabindex=0 */
  active: string | null = null;
  tabStopEl: HTMLElement | null = null;
  sort: Sort;
  stack: Cursor[] = [];
  /** set while the tree is windowed (more than WINDOW_MIN_THREADS top-level threads) */
  win: Windower | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** a sliced order in progress (rebuild) and its timer */
  #job: { sort: Sort; order: SlicedOrder } | null = null;
  #jobTimer: ReturnType<typeof setTimeout> | null = null;
  /** built while `state` is set: "building" until the progressive build is done */
  readonly host: TreeHost;
  readonly shared: Shared;
  /** the search this tree shows (null: the normal tree) */
  readonly search: SearchResult | null;
  /** the thread as the layout shows it (render/layout.ts); read again on every rebuild */
  shape: Shape;

  constructor(host: TreeHost, shared: Shared, search: SearchResult | null, sort: Sort) {
    this.host = host;
    this.shared = shared;
    this.search = search;
    this.sort = sort;
    this.shape = shapeOf(host.ctx().config().layout, host.ctx().store);
    this.el = h("ul", {
      class: "tw-tree",
      "data-role": "tree",
      role: "tree",
      "aria-label": host.fmt().t("comments_section"),
    });
    this.nav = new Nav(this);
    this.el.addEventListener("click", (e) => host.onClick(e, this));
    this.el.addEventListener("keydown", (e) => host.onKey(e, this));
    this.el.addEventListener("focusin", (e) => this.nav.onFocusIn(e));
    this.el.addEventListener("focusout", (e) => {
      const t = e.target as HTMLElement | null;
      // windowed: every top-level item keeps its position in the whole set
      if (t && t.getAttribute("role") === "treeitem" && !(this.win && t.getAttribute("aria-level") === "1")) {
        t.removeAttribute("aria-posinset");
        t.removeAttribute("aria-setsize");
      }
    });
  }

  get store() {
    return this.host.ctx().store;
  }

  /** True once every comment this tree builds (not collapsed, not behind "more"/"continue") is in the DOM. */
  get idle(): boolean {
    return this.stack.length === 0 && this.#job === null;
  }

  /** Stop building (the tree is put aside or dropped). */
  pause(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  dispose(): void {
    this.pause();
    this.#cancelOrder();
    this.stack = [];
    this.win?.dispose();
    this.win = null;
  }

  /** The shown top-level ids in display order (the windowed tree keeps them). */
  topOrder(): string[] {
    return this.win ? this.win.order : this.kidsOf(ROOT);
  }

  /** Shown in this tree: shown by the store and, while searching, a match or an ancestor of one. */
  shown(id: string): boolean {
    return this.store.isShown(id) && (!this.search || this.search.visible.has(id));
  }

  /** Shown children of a comment (or ROOT) in display order. */
  kidsOf(parent: string): string[] {
    const ids = this.shape.sortedChildren(parent, this.sort);
    const s = this.search;
    return s ? ids.filter((id) => s.visible.has(id)) : ids;
  }

  hasShownChildren(id: string): boolean {
    // a first-screen snapshot's counts stand for the replies it did not send
    return this.shape.childIds(id).some((k) => this.shown(k)) || (!this.search && this.shape.partialKids(id) > 0);
  }

  // ---- building --------------------------------------------------------------------------

  /** The sort the tree shows, or is about to show once a sliced order is ready. */
  get targetSort(): Sort {
    return this.#job?.sort ?? this.sort;
  }

  #cancelOrder(): void {
    if (this.#jobTimer !== null) clearTimeout(this.#jobTimer);
    this.#jobTimer = null;
    this.#job = null;
  }

  /**
   * Draw the tree in `sort` from scratch. A long list of top-level threads is ordered in slices
   * (render/order.ts): the tree shown stays until the first screen of the new order is known,
   * which is drawn in front of the rest; the whole order follows, without a long task.
   */
  rebuild(sort: Sort): void {
    this.#cancelOrder();
    const store = this.store;
    this.shape = shapeOf(this.host.ctx().config().layout, store);
    this.el.dataset.layout = this.shape.layout;
    const ids = this.shape.childIds(ROOT);
    const focused = this.nav.focusedStop();
    if (ids.length <= WINDOW_MIN_THREADS) {
      this.sort = sort; // (kidsOf orders by it)
      this.#draw(sort, this.kidsOf(ROOT), focused);
      return;
    }
    // another view of the store ordered it already, and nothing changed since: drawn at once
    // (not in a search, which orders its matches only, nor "hot", whose scores age by the minute)
    const memo =
      this.search || sort === "hot"
        ? null
        : [this.shape.layout, sort, store.role, this.host.ctx().config().voting?.kind ?? ""].join("\0");
    const known = memo === null ? null : store.knownOrder(memo);
    if (known) {
      this.#draw(sort, known, focused);
      return;
    }
    // each thread's size (the windowed tree's estimate of its height) is counted here too, in the
    // sliced pass, so that drawing the first screen of the order does not count them all at once
    const shape = this.shape;
    const sizes = store.threadSizes(shape.layout);
    const kids = (k: string): readonly string[] => shape.childIds(k);
    const keyOf = (id: string) => {
      sizeIn(sizes, id, kids);
      return this.shown(id) ? store.rankKey(id, store.display(id) as Comment, sort) : null;
    };
    const job = new SlicedOrder(ids, keyOf, sort, 4 * FIRST_SCREEN_THREADS);
    // a few thousand threads are ordered at once (a few ms), whatever the machine's load
    if (job.step(ids.length <= ORDER_SYNC_MAX ? Infinity : ORDER_SYNC_MS)) {
      if (memo !== null) store.keepOrder(memo, job.order as string[]);
      this.#draw(sort, job.order as string[], focused);
      return;
    }
    this.#job = { sort, order: job };
    let drawn = false;
    const tick = (): void => {
      this.#jobTimer = null;
      if (this.host.destroyed() || this.#job?.order !== job) return;
      const head = drawn ? null : job.head;
      if (head && head.length > WINDOW_MIN_THREADS) {
        // the new order's first screen, in a task of its own (never after a slice of sorting)
        drawn = true;
        this.#draw(sort, head, focused);
      } else if (job.step(ORDER_SLICE_MS)) {
        this.#job = null;
        const order = job.order as string[];
        if (memo !== null) store.keepOrder(memo, order);
        if (drawn && this.win) this.win.settle(order);
        else this.#draw(sort, order, drawn ? null : focused);
        this.host.onBuilt(this);
        return;
      }
      this.#jobTimer = setTimeout(tick, 0);
    };
    this.#jobTimer = setTimeout(tick, 0);
    this.host.onBuilt(this);
  }

  #draw(sort: Sort, top: string[], focused: { id: string; tail: boolean } | null): void {
    this.pause();
    this.stack = [];
    for (const rec of this.nodes.values()) rec.composer = null;
    this.nodes.clear();
    this.tabStopEl = null;
    this.el.replaceChildren();
    this.sort = sort;
    if (top.length > WINDOW_MIN_THREADS) {
      // Windowed (render/window.ts): the first screen now, the rest of the screen next frame.
      this.win ??= new Windower(this);
      this.el.classList.add("tw-windowed");
      this.win.reset(top);
      // what is on screen now (a partial snapshot folded in keeps the reader where they were)
      const [a, b] = this.win.screenRange();
      this.win.ensureRange(a, Math.min(b, a + 4 * FIRST_SCREEN_THREADS));
      this.win.request();
    } else {
      this.win?.dispose();
      this.win = null;
      this.el.classList.remove("tw-windowed");
      this.el.style.paddingTop = this.el.style.paddingBottom = "";
      if (top.length) this.stack.push({ parent: ROOT, group: this.el, ids: top, i: 0, depth: 1, last: null });
      this.runBuild(FIRST);
    }
    this.schedule();
    this.nav.ensureTabStop();
    this.host.onBuilt(this);
    this.nav.restoreFocus(focused);
  }

  pushCursor(parent: string, group: HTMLElement, depth: number): void {
    const ids = this.kidsOf(parent);
    if (ids.length) this.stack.push({ parent, group, ids, i: 0, depth, last: null });
  }

  /** Build synchronously within `limits`, schedule the rest, publish the state. */
  pump(limits: BuildLimits): void {
    this.runBuild(limits);
    this.schedule();
    this.nav.ensureTabStop();
    this.host.onBuilt(this);
  }

  hasCursor(parent: string): boolean {
    for (const c of this.stack) if (c.parent === parent) return true;
    return false;
  }

  dropCursor(parent: string): void {
    if (this.hasCursor(parent)) this.stack = this.stack.filter((c) => c.parent !== parent);
  }

  /** How many direct replies of `rec` this view builds. */
  capOf(rec: NodeRec): number {
    if (this.search) return Infinity; // a search shows every match
    return this.shared.revealed.get(rec.id) ?? MORE_BATCH;
  }

  /** A cut point: replies below it wait for "Continue this thread". */
  isCut(rec: NodeRec): boolean {
    return !this.search && rec.depth - rec.base >= CONTINUE_DEPTH && !this.shared.continued.has(rec.id);
  }

  /** Whether the children of `rec` should be in the DOM. */
  shouldBuild(rec: NodeRec): boolean {
    return !this.collapsed.has(rec.id) && !this.isCut(rec) && this.hasShownChildren(rec.id);
  }

  /** Start building the children of `rec` (a cursor; the caller pumps). */
  startKids(rec: NodeRec): void {
    rec.built = true;
    this.pushCursor(rec.id, rec.group, rec.depth + 1);
  }

  /**
   * Build nodes depth first until a limit is reached: the time box (later chunks), or a count of
   * top-level threads / nodes (synchronous builds, which must be deterministic).
   */
  runBuild(limits: BuildLimits): void {
    const start = now();
    let threads = 0;
    let nodes = 0;
    while (this.stack.length) {
      const cur = this.stack[this.stack.length - 1];
      const prec = cur.parent === ROOT ? null : this.nodes.get(cur.parent);
      if (cur.parent !== ROOT && (!prec || prec.group !== cur.group)) {
        this.stack.pop(); // its parent went away meanwhile
        continue;
      }
      const existing = cur.i < cur.ids.length ? this.nodes.get(cur.ids[cur.i]) : undefined;
      if (cur.i >= cur.ids.length || (prec && !existing && prec.kids >= this.capOf(prec))) {
        this.stack.pop();
        if (prec) updateTail(this, prec);
        continue;
      }
      if (cur.parent === ROOT) {
        if (threads >= limits.threads) break;
        threads++;
      }
      const id = cur.ids[cur.i++];
      if (existing) {
        cur.last = existing.li;
      } else if (this.shown(id)) {
        const rec = this.createNode(id, cur.depth, prec ?? null);
        if (cur.last && cur.last.parentNode === cur.group) cur.last.after(rec.li);
        else this.place(rec.li, id, cur.group);
        cur.last = rec.li;
        if (this.shouldBuild(rec)) this.startKids(rec);
      }
      if (++nodes >= limits.nodes) break;
      if (limits.budgetMs !== Infinity && now() - start > limits.budgetMs) break;
    }
  }

  schedule(): void {
    if (this.#timer !== null || this.stack.length === 0 || this.host.destroyed()) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.host.destroyed()) return;
      this.runBuild(CHUNK);
      this.win?.request(); // the threads grew: keep the reader's place (render/window.ts)
      this.schedule();
      this.nav.ensureTabStop();
      this.host.onBuilt(this);
    }, 0);
  }

  createNode(id: string, depth: number, parent: NodeRec | null): NodeRec {
    const opts = this.host.opts();
    if (depth === opts.collapsed_depth && !this.search && !this.shared.autoCollapsed.has(id)) {
      // options.collapsed_depth: collapsed the first time this view meets the comment (not in a search)
      this.shared.autoCollapsed.add(id);
      this.collapsed.add(id);
    }
    const rec = nodeOf(id, depth, parent, opts.max_indent);
    this.nodes.set(id, rec);
    if (parent) parent.kids++;
    paint(this, rec);
    if (this.host.hasComposer(id) && !this.host.ctx().readOnly()) this.host.mountComposer(rec);
    if (id === this.active) this.nav.setTabStop(rec.li);
    return rec;
  }

  /** Create the node of `id` under `parent` (or at the top) at its sorted place, and start its children. */
  addNode(id: string, parent: NodeRec | null): NodeRec {
    const rec = this.createNode(id, parent ? parent.depth + 1 : 1, parent);
    this.place(rec.li, id, parent ? parent.group : this.el);
    if (this.shouldBuild(rec)) this.startKids(rec);
    if (parent) updateTail(this, parent);
    return rec;
  }

  /** Insert `li` into `group` at the sorted position of `id` (binary search over siblings). */
  place(li: HTMLElement, id: string, group: HTMLElement): void {
    const kids = group.children;
    let lo = 0;
    let hi = kids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = (kids[mid] as HTMLElement).dataset.commentId ?? "";
      if (other === id || this.shape.compare(other, id, this.sort) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const before = kids[lo] ?? null;
    if (before === li) return;
    group.insertBefore(li, before);
  }

  #reorder(parent: string, group: HTMLElement): string[] {
    const order = this.kidsOf(parent);
    for (const id of order) {
      const rec = this.nodes.get(id);
      if (rec && rec.li.parentNode === group) group.append(rec.li);
    }
    return order;
  }

  /** A new sort order: nodes move in place (small trees) or the tree is rebuilt progressively. */
  resort(sort: Sort, scrollAnchor: () => () => void): void {
    if (sort === this.targetSort) return;
    if (sort === this.sort) {
      this.#cancelOrder(); // back to the order shown before the new one was ready
      this.host.onBuilt(this);
      return;
    }
    if (!this.idle || this.win || this.nodes.size > REORDER_IN_PLACE_MAX) {
      // Big trees are rebuilt progressively, like a first render: the first screen at once and
      // no long task, where moving every node would freeze the page (per-view state survives).
      this.rebuild(sort);
      return;
    }
    this.sort = sort;
    // Reorder while the tree is detached: moving thousands of connected nodes one by one costs
    // seconds (every move updates the live document); detached, it is a few milliseconds.
    const parent = this.el.parentNode;
    const next = this.el.nextSibling;
    const scroll = scrollAnchor();
    const focused = this.nav.focusedStop();
    this.el.remove();
    this.#reorder(ROOT, this.el);
    const capped: NodeRec[] = [];
    for (const rec of this.nodes.values()) {
      if (!rec.built) continue;
      const order = this.#reorder(rec.id, rec.group);
      if (rec.kids < order.length) capped.push(rec);
    }
    // Behind "more": the first replies in the new order are shown, not the old ones re-sorted.
    for (const rec of capped) if (this.nodes.get(rec.id) === rec) this.#rebalance(rec);
    parent?.insertBefore(this.el, next);
    scroll();
    this.pump(SYNC);
    this.nav.restoreFocus(focused);
  }

  /** Evict built replies of `rec` that are no longer among its first `cap` in the sort; build the missing ones. */
  #rebalance(rec: NodeRec): void {
    const want = new Set(this.kidsOf(rec.id).slice(0, this.capOf(rec)));
    for (const li of Array.from(rec.group.children) as HTMLElement[]) {
      const id = li.dataset.commentId ?? "";
      const k = this.nodes.get(id);
      if (k && !want.has(id)) this.removeNode(k, false);
    }
    this.dropCursor(rec.id);
    this.pushCursor(rec.id, rec.group, rec.depth + 1);
    updateTail(this, rec);
  }

  removeNode(rec: NodeRec, keepFocus = true): void {
    const doc = rec.li.ownerDocument;
    const hadFocus = rec.li.contains(doc.activeElement);
    const hadStop = this.tabStopEl !== null && rec.li.contains(this.tabStopEl);
    rec.li.remove();
    this.nodes.delete(rec.id);
    for (const el of Array.from(rec.li.querySelectorAll<HTMLElement>("[data-comment-id]"))) {
      const k = el.dataset.commentId;
      if (k) this.nodes.delete(k);
    }
    const prec = this.nodes.get(rec.parent);
    if (prec) {
      prec.kids--;
      updateTail(this, prec);
    }
    if (hadStop) {
      // The roving tab stop (and focus) moves to the parent, or the first comment.
      this.tabStopEl = null;
      if (this.active !== null && !this.nodes.has(this.active)) this.active = prec ? prec.id : null;
      this.nav.ensureTabStop();
      if (hadFocus && keepFocus) (this.tabStopEl as HTMLElement | null)?.focus({ preventScroll: true });
    }
  }

  /**
   * Make sure every reply of `rec` this view shows has a node now (navigation must not wait
   * for the progressive build), and settle its "more" row.
   */
  buildKids(rec: NodeRec): void {
    if (!rec.built || this.collapsed.has(rec.id)) return;
    const cap = this.capOf(rec);
    for (const id of this.kidsOf(rec.id)) {
      if (rec.kids >= cap) break;
      if (!this.nodes.has(id)) this.addNode(id, rec);
    }
    this.dropCursor(rec.id);
    updateTail(this, rec);
    this.schedule();
    this.host.onBuilt(this);
  }

  /** The node of `id`, built now if the progressive build has not reached it (ancestors first). */
  materialize(id: string): NodeRec | null {
    const have = this.nodes.get(id);
    if (have) return have;
    if (!this.shown(id)) return null;
    const parent = this.shape.parentOf(id);
    if (parent === null && this.win) {
      const i = this.win.indexOf(id);
      if (i < 0) return null;
      this.win.ensure(i);
      this.schedule();
      this.host.onBuilt(this);
      return this.nodes.get(id) ?? null;
    }
    if (parent === null) {
      const rec = this.addNode(id, null);
      this.schedule();
      this.host.onBuilt(this);
      return rec;
    }
    const prec = this.materialize(parent);
    if (!prec) return null;
    this.buildKids(prec);
    return this.nodes.get(id) ?? null;
  }

  /**
   * A top-level comment to show (new, or moved by a change): windowed, it takes its sorted place
   * in the order and gets a node only inside the built range. True: build its node now.
   */
  admitsTop(id: string): boolean {
    const w = this.win;
    if (!w) return true;
    let lo = 0;
    let hi = w.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.shape.compare(w.order[mid], id, this.sort) <= 0) lo = mid + 1;
      else hi = mid;
    }
    w.inserted(lo, id);
    w.request();
    return lo >= w.a && lo < w.b;
  }

  recOf(el: Element | null): NodeRec | null {
    const id = (el as HTMLElement | null)?.dataset?.commentId;
    return id ? (this.nodes.get(id) ?? null) : null;
  }
}
