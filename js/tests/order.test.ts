import { describe, expect, it } from "vitest";
import type { Sort } from "../src/protocol";
import { compareKeys, type RankKey } from "../src/ranking";
import { SlicedOrder } from "../src/render/order";

/** `n` keys with scores that repeat (ties broken by time, then id) and some pinned or hidden. */
function keys(n: number): Map<string, RankKey | null> {
  const out = new Map<string, RankKey | null>();
  let x = 7;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const id = `c${i}`;
    out.set(id, i % 97 === 5 ? null : { id, t: x % 5000, pinned: i % 501 === 3, score: x % 37 });
  }
  return out;
}

describe("sliced order (issue 16: no long task while sorting)", () => {
  for (const sort of ["oldest", "top", "newest"] as Sort[]) {
    it(`gives the same order as one sort, in slices (${sort})`, () => {
      const k = keys(5000);
      const ids = [...k.keys()];
      const expected = [...k.values()]
        .filter((v): v is RankKey => v !== null)
        .sort((a, b) => compareKeys(a, b, sort))
        .map((v) => v.id);
      const job = new SlicedOrder(ids, (id) => k.get(id) ?? null, sort, 32);
      let steps = 0;
      let head: string[] | null = null;
      while (!job.step(0)) {
        head ??= job.head;
        steps++;
      }
      expect(steps).toBeGreaterThan(5); // a zero budget does a little each time
      expect(job.order).toEqual(expected);
      // the first screen, known before the whole order: an exact prefix, then every other id
      expect(head?.slice(0, 32)).toEqual(expected.slice(0, 32));
      expect(new Set(head)).toEqual(new Set(expected));
    });
  }

  it("finishes at once for short lists and empty ones", () => {
    const k = keys(300);
    const job = new SlicedOrder([...k.keys()], (id) => k.get(id) ?? null, "top", 10);
    expect(job.step(1000)).toBe(true);
    expect(job.order?.length).toBe([...k.values()].filter(Boolean).length);
    const empty = new SlicedOrder([], () => null, "top", 10);
    expect(empty.step(0)).toBe(true);
    expect(empty.order).toEqual([]);
  });
});
