/**
 * Windowing of a long tree: only the top-level threads near the screen are in the DOM; the ones
 * above and below stand as padding of their (measured or estimated) height. It follows the
 * notebook's own scrolling (any scrolling ancestor, or the window) and the tree's own box when
 * `options.max_height` makes it one. Keyboard navigation, `w.focus`, search hits and permalinks
 * build what they move to (Tree.materialize); printing builds everything (beforeprint).
 *
 * The unit is a top-level thread with the replies this view shows of it (at most MORE_BATCH per
 * comment and CONTINUE_DEPTH levels, the rest behind "more" / "continue").
 */
import { CONTINUE_DEPTH, MORE_BATCH } from "../generated/constants";
import type { Tree } from "./tree";

/** Trees with more top-level threads than this are windowed. */
export const WINDOW_MIN_THREADS = 1000;
/** Height (px) assumed for each comment of a thread not measured yet, until some are. */
export const EST_COMMENT_PX = 96;
/** Extra height (px) drawn above and below the visible part. */
export const OVERSCAN_PX = 600;
/** Nodes built at once when the range moves (the rest are built in chunks, like a first render). */
const BUILD_NODES = 300;
/** A focused thread this many threads outside the range stays built (focus survives scrolling). */
const KEEP_FOCUSED = 40;
/** Passes of computing the range again after measuring, within one frame. */
const MAX_PASSES = 6;

/**
 * Prefix sums of thread heights: `out[i]` is the top of thread i, `out[n]` the total height. A
 * thread not measured is `est` px for each of the `size(id)` comments it shows.
 */
export function prefixSums(
  order: readonly string[],
  heights: ReadonlyMap<string, number>,
  est: number,
  size: (id: string) => number = () => 1,
): Float64Array {
  const out = new Float64Array(order.length + 1);
  for (let i = 0; i < order.length; i++) out[i + 1] = out[i] + (heights.get(order[i]) ?? est * size(order[i]));
  return out;
}

/**
 * Browsers cannot scroll or lay out content much taller than 2^24 px (Chromium: scrollTop stops at
 * 16,777,216): above this height (px) the padding of the threads not built is scaled down.
 */
export const MAX_TREE_PX = 8_000_000;

/**
 * `prefix` with the threads outside the built range [a, b) scaled so the total is at most `max`
 * (the built ones keep their real height: the padding stands for the rest).
 */
export function capped(prefix: Float64Array, a: number, b: number, max = MAX_TREE_PX): Float64Array {
  const n = prefix.length - 1;
  a = Math.min(a, n);
  b = Math.min(Math.max(a, b), n);
  const built = prefix[b] - prefix[a];
  if (prefix[n] <= max || prefix[n] <= built) return prefix;
  const k = Math.max(0, max - built) / (prefix[n] - built);
  const out = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) out[i + 1] = out[i] + (i >= a && i < b ? 1 : k) * (prefix[i + 1] - prefix[i]);
  return out;
}

/**
 * How many comments of thread `id` a view shows at most: MORE_BATCH replies a comment,
 * CONTINUE_DEPTH levels, at most `cap`. Threads' sizes are heavy-tailed: the estimate of a thread
 * not measured counts its comments, so the estimated height of the whole stays near the real one.
 */
export function threadSize(id: string, kids: (id: string) => readonly string[], cap = 2000): number {
  const first = kids(id);
  if (first.length === 0) return 1; // most threads: no replies
  let n = 0;
  // two plain stacks (no pair per comment: this runs over every top-level thread of a long thread)
  const ids: string[] = [id];
  const depths: number[] = [0];
  while (ids.length > 0 && n < cap) {
    const k = ids.pop() as string;
    const d = depths.pop() as number;
    n++;
    if (d >= CONTINUE_DEPTH) continue;
    const ks = k === id ? first : kids(k);
    for (let j = Math.min(ks.length, MORE_BATCH) - 1; j >= 0; j--) {
      ids.push(ks[j]);
      depths.push(d + 1);
    }
  }
  return n;
}

/** `threadSize` of `id`, counted once into `sizes` (the store's memo shared by the views). */
export function sizeIn(sizes: Map<string, number>, id: string, kids: (id: string) => readonly string[]): number {
  let n = sizes.get(id);
  if (n === undefined) sizes.set(id, (n = threadSize(id, kids)));
  return n;
}

/** The first index i with prefix[i + 1] > y (the thread at height y), clamped to [0, n]. */
export function indexAt(prefix: Float64Array, y: number): number {
  const n = prefix.length - 1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prefix[mid + 1] <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The threads [a, b) that meet the band [y0, y1) (content coordinates), at least one if any. */
export function rangeFor(prefix: Float64Array, y0: number, y1: number): [number, number] {
  const n = prefix.length - 1;
  if (n === 0) return [0, 0];
  const a = Math.min(indexAt(prefix, Math.max(0, y0)), n - 1);
  const b = Math.max(a + 1, Math.min(n, indexAt(prefix, Math.max(0, y1)) + 1));
  return [a, b];
}

/** The thread at height y of the tree and how far into it (0..1), or null outside the tree. */
export function markAt(prefix: Float64Array, y: number): { i: number; f: number } | null {
  const n = prefix.length - 1;
  if (y < 0 || y >= prefix[n]) return null;
  const i = indexAt(prefix, y);
  return { i, f: (y - prefix[i]) / Math.max(1, prefix[i + 1] - prefix[i]) };
}

/** Where the point `f` of the way into thread i (< n) is now (heights may have changed since `markAt`). */
export function markY(prefix: Float64Array, i: number, f: number): number {
  return prefix[i] + f * (prefix[i + 1] - prefix[i]);
}

/**
 * Whether `p`'s content is taller than its box by more than rounding: an output area 1 px short
 * of its content (seen in JupyterLab while it lays out) is not the scroller.
 */
function overflows(p: HTMLElement): boolean {
  return p.scrollHeight > p.clientHeight + 1;
}

/** The element whose scrolling moves the tree (its own box, a scrolling ancestor), or null for the window. */
export function scrollerOf(el: HTMLElement): HTMLElement | null {
  const win = el.ownerDocument.defaultView;
  for (let p: HTMLElement | null = el; p; p = p.parentElement) {
    if (!overflows(p)) continue;
    const o = win ? win.getComputedStyle(p).overflowY : "visible";
    if (o === "auto" || o === "scroll" || o === "overlay") return p;
  }
  return null;
}

/** The band [top, bottom) of the tree's content (its own coordinates) visible on screen now. */
export function visibleBand(el: HTMLElement): [number, number] {
  const win = el.ownerDocument.defaultView;
  let top = 0;
  let bottom = win ? win.innerHeight : 0;
  const own = el.getBoundingClientRect();
  for (let p: HTMLElement | null = el; p; p = p.parentElement) {
    if (p !== el && !overflows(p)) continue;
    const o = win ? win.getComputedStyle(p).overflowY : "visible";
    if (o === "visible" || o === "") continue;
    const r = p.getBoundingClientRect();
    top = Math.max(top, r.top);
    bottom = Math.min(bottom, r.bottom);
  }
  const origin = own.top - el.scrollTop;
  return [top - origin, Math.max(top, bottom) - origin];
}

export class Windower {
  /** the top-level ids in display order, and the built range [a, b) */
  order: string[] = [];
  a = 0;
  b = 0;
  readonly heights = new Map<string, number>();
  /** comments each thread shows (`threadSize`) as the layout shows them (a flat row: one), counted once per order */
  #sizes = new Map<string, number>();
  /** tops of the threads by their heights and estimates, before `capped` (for every built range) */
  #sums: Float64Array | null = null;
  #prefix: Float64Array | null = null;
  /** the built range `#prefix` was computed for */
  #prefixOf: [number, number] = [0, 0];
  #frame: number | null = null;
  #printing = false;
  /**
   * What is kept in place on screen, and where it is in the scrolled content: a card, or (when the
   * screen shows padding) the point `f` of the way into thread i of the order.
   */
  #anchor: { el: HTMLElement | null; i: number; f: number; y: number; view: number; sc: HTMLElement | null } | null =
    null;
  readonly #t: Tree;
  readonly #onScroll = (): void => this.request();
  readonly #onBeforePrint = (): void => this.printAll();
  readonly #onAfterPrint = (): void => {
    this.#printing = false;
    this.request();
  };

  constructor(t: Tree) {
    this.#t = t;
    const doc = t.el.ownerDocument;
    doc.addEventListener("scroll", this.#onScroll, { capture: true, passive: true });
    const win = doc.defaultView;
    win?.addEventListener("resize", this.#onScroll);
    win?.addEventListener("beforeprint", this.#onBeforePrint);
    win?.addEventListener("afterprint", this.#onAfterPrint);
  }

  dispose(): void {
    const doc = this.#t.el.ownerDocument;
    doc.removeEventListener("scroll", this.#onScroll, { capture: true });
    const win = doc.defaultView;
    win?.removeEventListener("resize", this.#onScroll);
    win?.removeEventListener("beforeprint", this.#onBeforePrint);
    win?.removeEventListener("afterprint", this.#onAfterPrint);
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#frame = null;
  }

  #size = (id: string): number => sizeIn(this.#sizes, id, (k) => this.#t.shape.childIds(k));

  /** Measured height per comment of the measured threads (the estimate for the others). */
  get est(): number {
    let sum = 0;
    let count = 0;
    for (const [id, v] of this.heights) {
      sum += v;
      count += this.#size(id);
    }
    return count > 0 ? sum / count : EST_COMMENT_PX;
  }

  /** Top of each thread as laid out (capped at MAX_TREE_PX: depends on the built range). */
  get prefix(): Float64Array {
    if (!this.#prefix || this.#prefixOf[0] !== this.a || this.#prefixOf[1] !== this.b) {
      // a new built range alone only re-caps the sums (most threads are not taller than browsers scroll)
      this.#sums ??= prefixSums(this.order, this.heights, this.est, this.#size);
      this.#prefix = capped(this.#sums, this.a, this.b);
      this.#prefixOf = [this.a, this.b];
    }
    return this.#prefix;
  }

  /** Heights or the order changed. */
  invalidate(): void {
    this.#sums = null;
    this.#prefix = null;
  }

  /** Update the range at the next frame (scrolling, resizing, a change of heights). */
  request(): void {
    if (this.#frame !== null || typeof requestAnimationFrame !== "function") return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = null;
      this.update();
    });
  }

  /** A new order (a rebuild): nothing built; the first threads are built by `ensureRange`. */
  reset(order: string[]): void {
    this.order = order;
    this.a = this.b = 0;
    this.#anchor = null;
    this.#sizes = this.#t.store.threadSizes(this.#t.shape.layout); // shared with the other views
    this.invalidate();
    this.pads();
  }

  indexOf(id: string): number {
    // the built range first: most lookups are near the screen
    for (let i = this.a; i < this.b; i++) if (this.order[i] === id) return i;
    return this.order.indexOf(id);
  }

  /** Padding for the threads not built: above `a` and from `b` on. */
  pads(): void {
    const p = this.prefix;
    const n = this.order.length;
    const top = p[Math.min(this.a, n)];
    const bottom = p[n] - p[Math.min(this.b, n)];
    const s = this.#t.el.style;
    const tp = `${Math.round(top)}px`;
    const bp = `${Math.round(bottom)}px`;
    if (s.paddingTop !== tp) s.paddingTop = tp;
    if (s.paddingBottom !== bp) s.paddingBottom = bp;
  }

  /** Measure the built threads (one layout), then reset the padding. */
  measure(): void {
    let changed = false;
    for (let i = this.a; i < this.b; i++) {
      const rec = this.#t.nodes.get(this.order[i]);
      if (!rec) continue;
      const h = rec.li.offsetHeight;
      if (h > 0 && this.heights.get(rec.id) !== h) {
        this.heights.set(rec.id, h);
        changed = true;
      }
    }
    if (changed) this.invalidate();
    this.pads();
  }

  // ---- scroll anchoring ------------------------------------------------------------------
  // A new measurement changes the estimate of every thread above the built ones (the top padding
  // moves), and replies built progressively make the threads above the reader's place grow: what
  // the reader looks at (a comment just focused far down) would jump away. The browser's scroll
  // anchoring would keep it in place, but JupyterLab turns it off for every cell but the active
  // one; so the windower keeps one card (the focused comment's, else the first on screen) where
  // it is in the scrolled content, correcting the scroll position after each change. A screen
  // that shows no built thread (a jump lands in padding, or in a thread estimated taller than it
  // is) keeps its place in the order instead: the same point of the same thread once measuring
  // has replaced estimates; else the scroll position would stay while the tree shrank or grew
  // under it, past its end or far from the range just built.

  /** Where the anchor is in the scrolled content and in the scroller's view (px): scrolling changes only the second. */
  #place(an: { el: HTMLElement | null; i: number; f: number }, sc: HTMLElement | null): { y: number; view: number } {
    const el = this.#t.el;
    const top = an.el
      ? an.el.getBoundingClientRect().top
      : el.getBoundingClientRect().top - el.scrollTop + markY(this.prefix, an.i, an.f);
    if (sc) {
      const view = top - sc.getBoundingClientRect().top;
      return { y: view + sc.scrollTop, view };
    }
    return { y: top + (el.ownerDocument.defaultView?.scrollY ?? 0), view: top };
  }

  /**
   * What to keep in place: the tab stop's card if on screen, else the first top-level thread on
   * screen (its card if on screen), else the place in the order the screen's top shows: a screen
   * of padding (estimated heights) keeps its place in the order while measuring replaces them.
   */
  #pickAnchor(): { el: HTMLElement | null; i: number; f: number } | null {
    const t = this.#t;
    const [y0, y1] = visibleBand(t.el);
    const origin = t.el.getBoundingClientRect().top - t.el.scrollTop;
    const onScreen = (el: HTMLElement): boolean => {
      const r = el.getBoundingClientRect();
      return r.height > 0 && r.bottom - origin > y0 && r.top - origin < y1;
    };
    const act = t.active !== null ? t.nodes.get(t.active) : undefined;
    if (act && act.li.isConnected && onScreen(act.card)) return { el: act.card, i: 0, f: 0 };
    for (let i = this.a; i < this.b; i++) {
      const rec = t.nodes.get(this.order[i]);
      if (!rec || rec.li.getBoundingClientRect().bottom - origin <= y0) continue;
      if (onScreen(rec.card) || onScreen(rec.li)) return { el: onScreen(rec.card) ? rec.card : rec.li, i, f: 0 };
      break;
    }
    const m = markAt(this.prefix, y0);
    return m && { el: null, ...m };
  }

  /** Put the anchor back where it was in the content (the scroll position follows), then take a new one. */
  #hold(repick: boolean): void {
    const el = this.#t.el;
    const sc = scrollerOf(el);
    const an = this.#anchor;
    // (a place taken in another scroller's content is no place in this one's)
    const valid = an && an.sc === sc && (an.el ? an.el.isConnected && el.contains(an.el) : an.i < this.order.length);
    if (an && valid) {
      const now = this.#place(an, sc);
      const d = now.y - an.y;
      if (Math.abs(d) >= 1) {
        const win = el.ownerDocument.defaultView;
        const cur = sc ? sc.scrollTop : (win?.scrollY ?? 0);
        const max = sc
          ? sc.scrollHeight - sc.clientHeight
          : el.ownerDocument.documentElement.scrollHeight - (win?.innerHeight ?? 0);
        // a shorter page has clamped the scroll position already: back to where the anchor was in view
        const to = cur >= max - 1 ? now.y - an.view : cur + d;
        if (sc) sc.scrollTop = to;
        else win?.scrollTo(win.scrollX, to);
      }
      this.#anchor = { ...an, ...this.#place(an, sc) };
      if (!repick) return;
    }
    const pick = this.#pickAnchor();
    this.#anchor = pick ? { ...pick, ...this.#place(pick, sc), sc } : null;
  }

  /** A jump put `el` on screen (w.focus, a permalink): keep it in place from now on, not what the screen showed before. */
  anchorOn(el: HTMLElement): void {
    const an = { el, i: 0, f: 0 };
    const sc = scrollerOf(this.#t.el);
    this.#anchor = { ...an, ...this.#place(an, sc), sc };
  }

  /** Build the threads [a, b) (removing the others), keeping the focused thread if near. */
  ensureRange(a: number, b: number): void {
    const t = this.#t;
    const n = this.order.length;
    a = Math.max(0, Math.min(a, n));
    b = Math.max(a, Math.min(b, n));
    const doc = t.el.ownerDocument;
    const focusLi =
      doc.activeElement && t.el.contains(doc.activeElement)
        ? doc.activeElement.closest(".tw-tree > [data-comment-id]")
        : null;
    const f = focusLi ? this.indexOf((focusLi as HTMLElement).dataset.commentId ?? "") : -1;
    if (f >= 0 && f < a && a - f <= KEEP_FOCUSED) a = f;
    if (f >= b && f - b < KEEP_FOCUSED) b = f + 1;
    if (b <= this.a || a >= this.b) {
      // no overlap: start again at `a`
      for (let i = this.a; i < this.b; i++) this.#evict(i);
      this.a = this.b = a;
    } else {
      for (let i = this.a; i < a; i++) this.#evict(i);
      for (let i = b; i < this.b; i++) this.#evict(i);
      this.a = Math.max(this.a, a);
      this.b = Math.min(this.b, b);
    }
    // a bounded amount of nodes now (no long task while scrolling); the rest in later chunks
    let budget = BUILD_NODES;
    while (this.b < b) budget -= this.#build(this.b++, budget);
    while (this.a > a) budget -= this.#build(--this.a, budget);
    // screen readers hear each item's place in the whole thread, not in what is drawn
    const size = String(this.order.length);
    for (let i = this.a; i < this.b; i++) {
      const li = t.nodes.get(this.order[i])?.li;
      if (!li) continue;
      li.setAttribute("aria-setsize", size);
      li.setAttribute("aria-posinset", String(i + 1));
    }
    this.pads();
  }

  #evict(i: number): void {
    const rec = this.#t.nodes.get(this.order[i]);
    if (!rec) return;
    const h = rec.li.offsetHeight;
    if (h > 0) this.heights.set(rec.id, h);
    this.#t.removeNode(rec, false);
    this.invalidate();
  }

  /** Build thread i with up to `budget` nodes of it now (at least its comment); returns how many. */
  #build(i: number, budget: number): number {
    const t = this.#t;
    const id = this.order[i];
    if (t.nodes.has(id) || !t.shown(id)) return 0;
    const before = t.nodes.size;
    t.addNode(id, null);
    if (budget > 1) t.runBuild({ budgetMs: Infinity, threads: Infinity, nodes: Math.min(400, budget - 1) });
    return t.nodes.size - before;
  }

  /** The threads on screen now (estimated heights; no overscan), at least the first screen's worth. */
  screenRange(): [number, number] {
    const [y0, y1] = visibleBand(this.#t.el);
    return rangeFor(this.prefix, y0, Math.max(y1, y0 + 800));
  }

  /** The range for what is on screen now (plus overscan). */
  update(): void {
    const t = this.#t;
    if (this.#printing || !t.el.isConnected || t.host.destroyed()) return;
    this.#hold(false); // layout moved since the last frame (replies built, a jump to a comment)
    this.measure();
    this.#hold(false);
    // Measuring what was just built changes the estimate of every thread not built, so the
    // padding above moves and with it the place of the range: the range is computed again until
    // it stays, each time keeping the card on screen where it was built (it cannot drift away).
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const [y0, y1] = visibleBand(t.el);
      const [a, b] = rangeFor(this.prefix, y0 - OVERSCAN_PX, y1 + OVERSCAN_PX);
      if (a === this.a && b === this.b) break;
      this.ensureRange(a, b);
      t.schedule();
      t.nav.ensureTabStop();
      t.host.onBuilt(t);
      this.#hold(true); // the card on screen now, before its thread's real height is counted
      this.measure();
      this.#hold(false);
    }
    this.#hold(true);
  }

  /**
   * Make thread i built: next to the range it extends the range, elsewhere the range jumps
   * there (a few threads around it); the scroll that follows fills in the rest.
   */
  ensure(i: number): void {
    if (i >= this.a && i < this.b) return;
    if (i === this.b) this.ensureRange(this.a, i + 1);
    else if (i === this.a - 1) this.ensureRange(i, this.b);
    else this.ensureRange(Math.max(0, i - 2), i + 6);
  }

  /** Printing shows everything: build every thread now; windowing resumes after printing. */
  printAll(): void {
    this.#printing = true;
    this.ensureRange(0, this.order.length);
    this.#t.runBuild({ budgetMs: Infinity, threads: Infinity, nodes: Infinity });
  }

  /**
   * The whole order, computed in slices after a first screen drawn in front of the rest in no
   * order (render/order.ts). Comments that came or went meanwhile are kept or left out; built
   * threads that are not where the order puts them are built again.
   */
  settle(order: string[]): void {
    const t = this.#t;
    const have = new Set(this.order);
    const next = order.filter((id) => have.has(id));
    if (next.length !== this.order.length) {
      const seen = new Set(next);
      for (const id of this.order) {
        if (seen.has(id)) continue;
        let lo = 0;
        let hi = next.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (t.store.compare(next[mid], id, t.sort) <= 0) lo = mid + 1;
          else hi = mid;
        }
        next.splice(lo, 0, id);
      }
    }
    let same = true;
    for (let i = this.a; i < this.b && same; i++) same = next[i] === this.order[i];
    const [a, b] = [this.a, this.b];
    if (!same) {
      for (let i = a; i < b; i++) this.#evict(i);
      this.b = this.a;
    }
    this.order = next;
    if (this.#anchor && !this.#anchor.el) this.#anchor = null; // a place in the old order
    // counted again for the store as it is now (the rest of a first screen's replies may have come)
    this.#sizes = this.#t.store.threadSizes(this.#t.shape.layout);
    this.invalidate();
    if (!same) this.ensureRange(a, b);
    this.pads();
    this.request();
  }

  /** A top-level comment appeared at its sorted place `i` in the order. */
  inserted(i: number, id: string): void {
    this.order.splice(i, 0, id);
    if (i < this.a) {
      this.a++;
      this.b++;
    } else if (i <= this.b && i >= this.a) this.b++;
    this.invalidate();
  }

  /** A top-level comment left the order (its node, if any, is removed by the caller). */
  removed(id: string): void {
    const i = this.indexOf(id);
    if (i < 0) return;
    this.order.splice(i, 1);
    if (i < this.a) {
      this.a--;
      this.b--;
    } else if (i < this.b) this.b--;
    this.heights.delete(id);
    this.invalidate();
  }
}
