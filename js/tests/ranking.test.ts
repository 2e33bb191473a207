// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import vectorsText from "../../tests/data/ranking_vectors.json?raw";
import type { Comment, Event, Role, Sort, Voting } from "../src/protocol";
import { SORTS } from "../src/protocol";
import {
  Ranker,
  compareKeys,
  controversy,
  formatNumber,
  formulaText,
  hot,
  upDown,
  votingKind,
  wilsonLowerBound,
} from "../src/ranking";
import { ROOT, ThreadStore } from "../src/state";
import { Fmt } from "../src/strings";
import { POST, at, comment } from "./fake-model";
import { cleanup, click, idle, ids, item, mount, q, replies, snap } from "./helpers";

afterEach(cleanup);

type Row = [string, number, number, number, number, number, string];
interface Vectors {
  now_ms: number;
  formulas: { up: number; down: number; created_ms: number; wilson: number; controversy: number; hot: number }[];
  format_number: [number, string][];
  threads: { voting: Voting; comments: Comment[]; roles: Record<Role, Record<Sort, Row[]>> }[];
}
const V = JSON.parse(vectorsText) as Vectors;

/** Equal to 1e-9 (relative for large numbers). */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe("formulas (tests/data/ranking_vectors.json, from ranking.py)", () => {
  it("give Python's Wilson, controversy and hot scores", () => {
    expect(V.formulas.length).toBeGreaterThan(20);
    for (const f of V.formulas) {
      expect(close(wilsonLowerBound(f.up, f.down), f.wilson), `wilson ${f.up}/${f.down}`).toBe(true);
      expect(close(controversy(f.up, f.down), f.controversy), `controversy ${f.up}/${f.down}`).toBe(true);
      expect(close(hot(f.up, f.down, f.created_ms, V.now_ms), f.hot), `hot ${f.up}/${f.down}`).toBe(true);
    }
  });

  it("format numbers as Python does", () => {
    for (const [x, text] of V.format_number) expect(formatNumber(x), String(x)).toBe(text);
  });

  it("hand-computed values and edge cases", () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(5, 1)).toBeCloseTo(0.43649, 5);
    expect(wilsonLowerBound(1, 0)).toBeCloseTo(0.20654, 5);
    expect(controversy(10, 10)).toBe(20);
    expect(controversy(7, 0)).toBe(0);
    expect(hot(3, 1, 0, 0)).toBeCloseTo(2 / Math.pow(2, 1.8), 12);
    expect(hot(3, 1, 10_000, 0)).toBe(hot(3, 1, 0, 0)); // from the future: age 0
  });
});

/** A store holding one vector thread, with its voting model and role, clock at `now_ms`. */
function vectorStore(t: Vectors["threads"][number], role: Role): ThreadStore {
  const store = new ThreadStore({ send: () => undefined, now: () => new Date(V.now_ms), staleAfterMs: 0 });
  store.role = role;
  store.ranker.kind = votingKind(t.voting);
  store.load({ epoch: "v", seq: 0, complete: true, post: POST, comments: t.comments });
  return store;
}

/** The page order: [id, rank among siblings, depth (0: a reply to the post)], depth first. */
function pageOrder(store: ThreadStore, sort: Sort, parent = ROOT, depth = 0, out: [string, number, number][] = []) {
  store.sortedChildren(parent, sort).forEach((id, i) => {
    out.push([id, i + 1, depth]);
    pageOrder(store, sort, id, depth + 1, out);
  });
  return out;
}

describe("sibling order (vectors)", () => {
  const fmt = new Fmt();
  for (const t of V.threads) {
    for (const role of ["participant", "moderator"] as Role[]) {
      it(`${t.voting.kind}, ${role}: the same orders, ranks, scores and formulas`, () => {
        const store = vectorStore(t, role);
        for (const sort of SORTS) {
          const rows = t.roles[role][sort];
          expect(pageOrder(store, sort), sort).toEqual(rows.map((r) => [r[0], r[1], r[2]]));
          for (const [id, , , up, down, score, formula] of rows) {
            const c = store.display(id) as Comment;
            expect(upDown(c, store.ranker.kind)).toEqual([up, down]);
            const key = store.rankKey(id, c, sort);
            expect(close(key.score, score), `${sort} ${id}: ${key.score} vs ${score}`).toBe(true);
            if (sort === "oldest" || sort === "newest") continue; // the page shows a local time
            expect(formulaText(fmt, sort, store.ranker.kind, up, down, key.t, store.ranker.hotNow, key.score)).toBe(
              formula,
            );
          }
        }
      });
    }
  }
});

describe("Ranker and compareKeys", () => {
  it("put pinned first, then the score, then the older, then the smaller id", () => {
    const k = (id: string, t: number, score: number, pinned = false) => ({ id, t, score, pinned });
    const list = [k("b", 5, 1), k("a", 5, 1), k("c", 1, 1), k("d", 9, 3), k("p", 9, 0, true)];
    expect(list.sort((x, y) => compareKeys(x, y, "best")).map((x) => x.id)).toEqual(["p", "d", "c", "a", "b"]);
    expect(list.sort((x, y) => compareKeys(x, y, "newest")).map((x) => x.id)).toEqual(["p", "d", "a", "b", "c"]);
    expect(list.sort((x, y) => compareKeys(x, y, "oldest")).map((x) => x.id)).toEqual(["p", "c", "a", "b", "d"]);
  });

  it("computes each score once per comment and reads the hot clock only on switching to hot", () => {
    let clock = 1_000;
    const r = new Ranker(() => clock);
    const c = comment("x", null, { likes: 3 });
    const t = 0;
    expect(r.score(c, t, "hot")).toBeCloseTo(3 / Math.pow(1000 / 3_600_000 + 2, 1.8), 12);
    clock = 100 * 3_600_000;
    expect(r.hotNow).toBe(1_000);
    const first = r.score(c, t, "hot");
    expect(r.score({ ...c }, t, "hot")).toBe(first); // a new object, the same clock
    r.score(c, t, "best");
    expect(r.score(c, t, "hot")).toBeLessThan(first / 100); // switched back: the clock moved
    r.kind = "updown";
    expect(r.score(comment("y", null, { votes: { a: "up", b: "down", c: "down" } }), t, "top")).toBe(-1);
  });

  it("counts per voting model", () => {
    const c = comment("x", null, {
      likes: 4,
      votes: { a: "up", b: "down", c: "👍" },
      flags: [{ user: "z", at: at(1), reason: "" }],
    });
    expect(upDown(c, "likes")).toEqual([4, 1]);
    expect(upDown(c, "updown")).toEqual([1, 1]);
    expect(upDown(c, "reactions")).toEqual([3, 1]);
    expect(votingKind(undefined)).toBe("likes");
    expect(votingKind({ kind: "updown", choices: [] })).toBe("updown");
  });
});

// ---- the view -------------------------------------------------------------------------------

const flag = (user: string) => ({ user, at: at(1), reason: "no" });
/**
 * a (old, 1 like), b (5 likes / 1 report), c (newest, 0), p (pinned, 0); a > a1 (2 likes), a2 (0).
 * oldest: p a b c; best: p b a c.
 */
function fixture(): Comment[] {
  return [
    comment("a", null, { created_at: at(0), likes: 1 }),
    comment("b", null, { created_at: at(5), likes: 5, flags: [flag("u1")] }),
    comment("c", null, { created_at: at(9) }),
    comment("p", null, { created_at: at(8), pinned: true }),
    comment("a1", "a", { created_at: at(1), likes: 2 }),
    comment("a2", "a", { created_at: at(2) }),
  ];
}
const top = (el: HTMLElement) => ids(el, '[data-role="tree"] > [data-comment-id]');
const sortSel = (el: HTMLElement) => q<HTMLSelectElement>(el, 'select[data-role="sort"]');
const whyBtn = (el: HTMLElement) => q<HTMLButtonElement>(el, 'button[data-role="why-toggle"]');
const why = (el: HTMLElement, id: string) =>
  item(el, id).querySelector(':scope > .tw-card [data-role="why"]')?.textContent ?? null;
function choose(el: HTMLElement, sort: string): void {
  sortSel(el).value = sort;
  sortSel(el).dispatchEvent(new Event("change", { bubbles: true }));
}

describe("sort menu and why this order", () => {
  it("offers the new sorts and orders by best, pinned first, from the menu", async () => {
    const { el, model } = mount({ _snapshot: snap(fixture()) });
    await idle(el);
    expect(Array.from(sortSel(el).options, (o) => o.textContent)).toEqual([
      "Oldest",
      "Newest",
      "Top",
      "Best",
      "Controversial",
      "Hot",
    ]);
    expect(top(el)).toEqual(["p", "a", "b", "c"]);
    choose(el, "best");
    expect(model.get("sort")).toBe("best");
    expect(model.saves).toBe(1);
    expect(top(el)).toEqual(["p", "b", "a", "c"]);
    expect(replies(el, "a")).toEqual(["a1", "a2"]);
    choose(el, "newest");
    expect(top(el)).toEqual(["p", "c", "b", "a"]);
  });

  it("the why toggle shows each card's rank, inputs and formula and an explanation", async () => {
    const { el, model } = mount({ _snapshot: snap(fixture()), sort: "best" });
    await idle(el);
    const btn = whyBtn(el);
    const note = q(el, '[data-role="why-note"]');
    expect(btn.textContent).toBe("Why this order?");
    expect(btn.getAttribute("aria-pressed")).toBe("false");
    expect(note.hidden).toBe(true);
    expect(why(el, "b")).toBeNull();
    click(btn);
    expect(btn.getAttribute("aria-pressed")).toBe("true");
    expect(note.hidden).toBe(false);
    expect(note.textContent).toContain("Wilson lower bound");
    expect(why(el, "b")).toBe("#2 of 4 · best: Wilson lower bound of 5 likes / 1 report = 0.436");
    expect(why(el, "p")).toBe("#1 of 4 · pinned first · best: Wilson lower bound of 0 likes / 0 reports = 0");
    expect(why(el, "a1")).toBe("#1 of 2 · best: Wilson lower bound of 2 likes / 0 reports = 0.342");
    // a sort switch moves the ranks and the formulas (nodes moved, not rebuilt)
    model.kernelSet("sort", "controversial");
    expect(note.textContent).toContain("Controversial");
    expect(why(el, "b")).toBe("#2 of 4 · controversial: (5 likes + 1 report) ^ (1/5) = 1.43");
    expect(why(el, "a")).toBe("#3 of 4 · controversial: 1 like, 0 reports: 0 (needs both)");
    // an event moves a comment: its siblings' ranks follow
    model.kernelSet("sort", "top");
    expect(why(el, "a")).toBe("#3 of 4 · top: 1 like = 1");
    const like: Event = { type: "like", id: "c", user: "u9", likes: 9, actor: "u9", at: at(30) };
    model.deliver({ kind: "event", epoch: "t", seq: 1, rid: null, event: like });
    expect(top(el)).toEqual(["p", "c", "b", "a"]);
    expect(why(el, "c")).toBe("#2 of 4 · top: 9 likes = 9");
    expect(why(el, "a")).toBe("#4 of 4 · top: 1 like = 1");
    click(btn);
    expect(why(el, "b")).toBeNull();
    expect(note.hidden).toBe(true);
  });

  it("is per view and follows the voting model from _config", async () => {
    const votes = { x: "up", y: "up", z: "down" };
    const comments = [
      comment("a", null, { created_at: at(0), likes: 7 }),
      comment("b", null, { created_at: at(1), votes }),
    ];
    const cfg = { max_body: 20000, voting: { kind: "updown", choices: [] } };
    const one = mount({ _snapshot: snap(comments), sort: "top", _config: cfg });
    const two = mount({ _snapshot: snap(comments), sort: "top", _config: cfg });
    await idle(one.el);
    expect(top(one.el)).toEqual(["b", "a"]); // up - down, not likes
    click(whyBtn(one.el));
    expect(why(one.el, "b")).toBe("#1 of 2 · top: 2 up − 1 down = 1");
    expect(why(two.el, "b")).toBeNull();
    one.model.kernelSet("_config", { max_body: 20000 }); // back to likes
    expect(top(one.el)).toEqual(["a", "b"]);
    expect(why(one.el, "a")).toBe("#1 of 2 · top: 7 likes = 7");
  });

  it("hot does not re-sort by itself: the clock is read when the sort is chosen", async () => {
    const old = new Date(Date.now() - 50 * 3_600_000).toISOString();
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const { el, model } = mount({
      _snapshot: snap([
        comment("a", null, { created_at: old, likes: 30 }),
        comment("b", null, { created_at: recent, likes: 2 }),
      ]),
      sort: "hot",
    });
    await idle(el);
    expect(top(el)).toEqual(["b", "a"]); // 2 / 3^1.8 = 0.28 beats 30 / 52^1.8 = 0.2
    click(whyBtn(el));
    expect(why(el, "b")).toMatch(/^#1 of 2 · hot: \(2 likes − 0 reports\) \/ \(1(\.\d+)? h \+ 2\) \^ 1\.8 = 0\.2\d+$/);
    expect(model.get("sort")).toBe("hot");
  });
});
