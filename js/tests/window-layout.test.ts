// @vitest-environment jsdom
/**
 * The windowed tree (render/window.ts) under a fake layout: jsdom lays nothing out, so each
 * top-level thread gets a made-up height, the notebook's scroller a box and a clamped scroll
 * position, and the tree its padding plus the built threads. A jump or a flick must end with a
 * thread on screen once the range settles, while measuring replaces estimates that were far too
 * high (the tree shrinks under the reader) or far too low (it grows).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Comment } from "../src/protocol";
import { WINDOW_MIN_THREADS, capped, markAt, markY, prefixSums, threadSize } from "../src/render/window";
import { at, comment } from "./fake-model";
import { cleanup, mount } from "./helpers";

const TREE_TOP = 120; // the tree's place in the scrolled content (cells above it)
const AFTER = 300; // content below the tree (cells below)
const VIEW = 600; // the scroller's height

/** Made-up layout: `heightOf(id)` for a top-level thread, the scroller `sc` around the widget. */
class FakeLayout {
  sc = document.createElement("div");
  tree: HTMLElement | null = null;
  #top = 0;
  readonly #saved: [object, string, PropertyDescriptor | undefined][] = [];

  constructor(readonly heightOf: (id: string) => number) {
    const sc = this.sc;
    sc.style.overflowY = "auto";
    document.body.append(sc);
    Object.defineProperty(sc, "clientHeight", { get: () => VIEW });
    Object.defineProperty(sc, "scrollHeight", { get: () => TREE_TOP + this.treeHeight() + AFTER });
    Object.defineProperty(sc, "scrollTop", {
      get: () => this.#top,
      set: (v: number) => {
        this.#top = Math.max(0, Math.min(v, TREE_TOP + this.treeHeight() + AFTER - VIEW));
      },
    });
    const offset = (el: HTMLElement): number => (this.isTop(el) ? this.heightOf(el.dataset.commentId ?? "") : 0);
    const rect = (el: HTMLElement): DOMRect => this.rect(el);
    this.#stub(HTMLElement.prototype, "offsetHeight", {
      get(this: HTMLElement) {
        return offset(this);
      },
    });
    this.#stub(Element.prototype, "getBoundingClientRect", {
      value(this: HTMLElement) {
        return rect(this);
      },
    });
  }

  #stub(proto: object, key: string, desc: PropertyDescriptor): void {
    this.#saved.push([proto, key, Object.getOwnPropertyDescriptor(proto, key)]);
    Object.defineProperty(proto, key, { configurable: true, ...desc });
  }

  restore(): void {
    for (const [proto, key, desc] of this.#saved.reverse()) {
      if (desc) Object.defineProperty(proto, key, desc);
      else delete (proto as Record<string, unknown>)[key];
    }
    this.sc.remove();
  }

  /** Put the widget's root inside the scroller. */
  hold(root: HTMLElement): void {
    this.sc.append(root);
    this.tree = root.querySelector<HTMLElement>('[data-role="tree"]');
  }

  isTop(el: HTMLElement): boolean {
    return el.parentElement === this.tree && el.dataset.commentId !== undefined;
  }

  pad(side: "paddingTop" | "paddingBottom"): number {
    return parseFloat(this.tree?.style[side] || "0") || 0;
  }

  built(): HTMLElement[] {
    return this.tree
      ? Array.from(this.tree.children as HTMLCollectionOf<HTMLElement>).filter((e) => this.isTop(e))
      : [];
  }

  treeHeight(): number {
    let h = this.pad("paddingTop") + this.pad("paddingBottom");
    for (const li of this.built()) h += this.heightOf(li.dataset.commentId ?? "");
    return h;
  }

  /** Where `el` is in the tree (px from the tree's top) and how tall. */
  #inTree(el: HTMLElement): [number, number] | null {
    const top = el.closest<HTMLElement>('[data-role="tree"] > [data-comment-id]');
    if (!top || !this.tree) return null;
    let y = this.pad("paddingTop");
    for (const li of this.built()) {
      const h = this.heightOf(li.dataset.commentId ?? "");
      if (li === top) return el === top ? [y, h] : [y, Math.min(h, 40)];
      y += h;
    }
    return null;
  }

  rect(el: HTMLElement): DOMRect {
    const origin = TREE_TOP - this.#top; // the tree's top on screen
    let top = 0;
    let height = 0;
    if (el === this.sc) height = VIEW;
    else if (el === this.tree) [top, height] = [origin, this.treeHeight()];
    else {
      const at = this.#inTree(el);
      if (at) [top, height] = [origin + at[0], at[1]];
    }
    return { top, bottom: top + height, height, left: 0, right: 800, width: 800, x: 0, y: top, toJSON: () => ({}) };
  }

  /** Threads on screen now (their top-level ids). */
  onScreen(): string[] {
    return this.built()
      .filter((li) => {
        const r = this.rect(li);
        return r.height > 0 && r.bottom > 0 && r.top < VIEW;
      })
      .map((li) => li.dataset.commentId ?? "");
  }

  /** Scroll to `y` (content px) and let the windower run its frames. */
  async scrollTo(y: number): Promise<void> {
    this.sc.scrollTop = y;
    this.sc.dispatchEvent(new Event("scroll"));
    await frames(3);
  }
}

const frames = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => requestAnimationFrame(() => r()));
};

/** `n` top-level threads t0..; thread i has `replies(i)` replies. */
function thread(n: number, replies: (i: number) => number = () => 1): Comment[] {
  const out: Comment[] = [];
  for (let i = 0; i < n; i++) {
    out.push(comment(`t${i}`, null, { created_at: at(i) }));
    for (let k = 0; k < replies(i); k++) out.push(comment(`t${i}r${k}`, `t${i}`, { created_at: at(i + 0.5) }));
  }
  return out;
}

const num = (id: string): number => parseInt(id.slice(1), 10);
const N = WINDOW_MIN_THREADS + 800;

let layout: FakeLayout | null = null;
beforeEach(() => {
  expect(typeof requestAnimationFrame).toBe("function");
});
afterEach(() => {
  cleanup();
  layout?.restore();
  layout = null;
});

async function mounted(
  heightOf: (id: string) => number,
  comments = thread(N),
  config?: Record<string, unknown>,
): Promise<FakeLayout> {
  layout = new FakeLayout(heightOf);
  const { el } = mount({
    _snapshot: { epoch: "w", seq: 0, complete: true, post: undefined, comments },
    ...(config ? { _config: config } : {}),
  });
  layout.hold(el);
  await layout.scrollTo(0);
  return layout;
}

/** A seeded sequence of jumps (anywhere, the very end, the top) and flicks; the steps that showed nothing. */
async function randomScrolls(l: FakeLayout, seed: number, steps: number): Promise<string[]> {
  let x = seed >>> 0;
  const rnd = (): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
  const blank: string[] = [];
  for (let i = 0; i < steps; i++) {
    const hi = TREE_TOP + l.treeHeight() - VIEW;
    const r = rnd();
    const to =
      r < 0.4
        ? TREE_TOP + rnd() * (hi - TREE_TOP)
        : r < 0.5
          ? hi
          : r < 0.55
            ? 0
            : l.sc.scrollTop + (rnd() < 0.5 ? -1 : 1) * 10000;
    await l.scrollTo(Math.max(TREE_TOP, Math.min(hi, to)));
    if (l.onScreen().length === 0) blank.push(`step ${i}: scrollTop ${l.sc.scrollTop}, height ${l.treeHeight()}`);
  }
  return blank;
}

describe("windowed tree under a fake layout", { timeout: 60_000 }, () => {
  it("a jump where the estimate was far too high (the tree shrinks under the reader) shows threads", async () => {
    // the first screen is tall threads: the first estimate is ~20 times the rest's height
    const l = await mounted((id) => (num(id) < 40 ? 3000 : 150));
    expect(l.onScreen()[0]).toBe("t0");
    const before = l.treeHeight();
    await l.scrollTo(TREE_TOP + 0.6 * (before - VIEW));
    const shown = l.onScreen();
    expect(shown.length).toBeGreaterThan(0);
    expect(l.treeHeight()).toBeLessThan(before / 2); // it did shrink: measured heights replaced the estimate
    // the reader lands where the scrollbar put them: near 60% of the order, not at its end
    expect(num(shown[0])).toBeGreaterThan(0.4 * N);
    expect(num(shown[0])).toBeLessThan(0.8 * N);
    // the end of the tree, then a flick up past its shrunken start
    await l.scrollTo(TREE_TOP + l.treeHeight() - VIEW);
    expect(l.onScreen()).toContain(`t${N - 1}`);
    expect(await randomScrolls(l, 1, 40)).toEqual([]);
  });

  it("a jump where the estimate was far too low (the tree grows under the reader) shows threads", async () => {
    const l = await mounted((id) => (num(id) < 40 ? 60 : 2500));
    const before = l.treeHeight();
    await l.scrollTo(TREE_TOP + 0.5 * (before - VIEW));
    const shown = l.onScreen();
    expect(shown.length).toBeGreaterThan(0);
    expect(l.treeHeight()).toBeGreaterThan(before * 2);
    expect(num(shown[0])).toBeGreaterThan(0.3 * N);
    expect(num(shown[0])).toBeLessThan(0.7 * N);
    expect(await randomScrolls(l, 2, 40)).toEqual([]);
  });

  it("heights that vary thread by thread: every step of a random sequence shows threads", async () => {
    const l = await mounted((id) => 80 + ((num(id) * 7919) % 13) ** 3);
    expect(await randomScrolls(l, 3, 60)).toEqual([]);
  });

  it("the estimate counts each thread's comments: big first threads do not inflate the total", async () => {
    // 20 busy threads first (20 replies each), then threads of one comment; 100 px a comment
    const replies = (i: number): number => (i < 20 ? 20 : 0);
    const real = (id: string): number => 100 * (1 + replies(num(id)));
    const l = await mounted(real, thread(N, replies));
    let total = 0;
    for (let i = 0; i < N; i++) total += real(`t${i}`);
    // only the first screen is measured, yet the estimated height is the real one
    expect(l.treeHeight()).toBeGreaterThan(0.9 * total);
    expect(l.treeHeight()).toBeLessThan(1.1 * total);
    const seen: number[] = [];
    for (const f of [0.5, 0.9, 0.2, 1]) {
      await l.scrollTo(TREE_TOP + f * (l.treeHeight() - VIEW));
      expect(l.onScreen().length).toBeGreaterThan(0);
      seen.push(l.treeHeight());
    }
    expect(Math.max(...seen) / Math.min(...seen)).toBeLessThan(1.1);
  });
});

describe("windowed flat stream (issue 28)", { timeout: 60_000 }, () => {
  it("a flat row is one comment in the estimate: replies of busy threads, rows of their own, do not skew it", async () => {
    // 20 busy threads first (20 replies each), then threads of one comment; every flat row 100 px
    const comments = thread(N, (i) => (i < 20 ? 20 : 0));
    const l = await mounted(() => 100, comments, { max_body: 20000, layout: "flat" });
    const total = 100 * comments.length;
    // only the first screen is measured, yet the estimated height is the real one (counting each
    // row's real replies made it 0.56 times the real height here, 3.3 times at 100,000 comments of synthetic.thread)
    expect(l.treeHeight()).toBeGreaterThan(0.95 * total);
    expect(l.treeHeight()).toBeLessThan(1.05 * total);
    // a jump to the last row lands on it
    await l.scrollTo(TREE_TOP + l.treeHeight() - VIEW);
    expect(l.onScreen()).toContain(`t${N - 1}`);
  });
});

describe("window arithmetic: places in the order", () => {
  it("a place survives new heights: the same point of the same thread", () => {
    const order = ["a", "b", "c", "d"];
    const est = prefixSums(order, new Map(), 1000);
    const m = markAt(est, 2500); // half way into c
    expect(m).toEqual({ i: 2, f: 0.5 });
    // c measured at 200 px, the estimate of the rest 100 px
    const measured = prefixSums(order, new Map([["c", 200]]), 100);
    expect(markY(measured, m?.i ?? -1, m?.f ?? 0)).toBe(300);
    expect(markAt(est, -1)).toBeNull(); // above the tree
    expect(markAt(est, 4000)).toBeNull(); // below it
  });

  it("a tree taller than browsers scroll is capped: the padding shrinks, the built threads keep their height", () => {
    // 100,000 threads of 180 px: 18,000,000 px, past Chromium's 16,777,216 px of scrollTop
    const order = Array.from({ length: 100_000 }, (_, i) => `t${i}`);
    const raw = prefixSums(order, new Map(), 180);
    const p = capped(raw, 99_990, 100_000, 8_000_000);
    expect(p[100_000]).toBeCloseTo(8_000_000, 0);
    for (let i = 99_990; i < 100_000; i++) expect(p[i + 1] - p[i]).toBe(180); // built: real height
    expect(p[99_990]).toBeCloseTo(8_000_000 - 1800, 0);
    expect(p[50_000] / p[99_990]).toBeCloseTo(raw[50_000] / raw[99_990], 6); // the order's places, scaled
    expect(capped(raw, 0, 10, 20_000_000)).toBe(raw); // under the cap: as is
  });

  it("threadSize counts what a view shows: 20 replies a comment, 12 levels", () => {
    const kids = new Map<string, string[]>([["t", Array.from({ length: 50 }, (_, i) => `r${i}`)]]);
    for (let d = 0; d < 20; d++) kids.set(d === 0 ? "r0" : `c${d - 1}`, [`c${d}`]);
    const size = threadSize("t", (id) => kids.get(id) ?? []);
    // t, 20 of its 50 replies, and the chain under r0 cut after 12 levels (r0 is level 1)
    expect(size).toBe(1 + 20 + 11);
    expect(threadSize("t", (id) => kids.get(id) ?? [], 10)).toBe(10);
    expect(prefixSums(["t", "u"], new Map(), 100, (id) => (id === "t" ? size : 1))[2]).toBe(100 * (size + 1));
  });
});
