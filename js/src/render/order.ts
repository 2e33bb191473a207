/**
 * The order of a long list of top-level threads, computed in slices (issue 16: no main-thread
 * task over 50 ms while sorting or loading 100,000 comments). Three phases, each stopping at a
 * time budget and resuming in a later task:
 *
 * 1. the sort keys (what is shown, and its score) of every id;
 * 2. the first `first` threads in order (a selection, one pass): the first screen can be drawn
 *    now, in front of the rest in any order;
 * 3. the whole order, by a bottom-up merge sort of short sorted runs.
 */
import type { Sort } from "../protocol";
import type { RankKey } from "../ranking";
import { compareKeys } from "../ranking";

/** Sorted runs of this many keys start the merge sort (one `Array.sort` each). */
const RUN = 512;
const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

export class SlicedOrder {
  readonly #ids: readonly string[];
  readonly #keyOf: (id: string) => RankKey | null;
  readonly #cmp: (a: RankKey, b: RankKey) => number;
  readonly #first: number;
  #i = 0;
  #keys: RankKey[] = [];
  #head: RankKey[] | null = null;
  #run = 0;
  #width = 0;
  #from: RankKey[] = [];
  #to: RankKey[] = [];
  #lo = 0;
  #order: string[] | null = null;

  constructor(ids: readonly string[], keyOf: (id: string) => RankKey | null, sort: Sort, first: number) {
    this.#ids = ids;
    this.#keyOf = keyOf;
    this.#cmp = (a, b) => compareKeys(a, b, sort);
    this.#first = first;
  }

  /** The first `first` ids in order, then the others in no order (null until phase 2 is done). */
  get head(): string[] | null {
    if (!this.#head) return null;
    const ids = this.#head.map((k) => k.id);
    const top = new Set(ids);
    for (const k of this.#keys) if (!top.has(k.id)) ids.push(k.id);
    return ids;
  }

  /** The whole order (null until done). */
  get order(): string[] | null {
    return this.#order;
  }

  /** Work until `budgetMs` has passed; true once the whole order is known. */
  step(budgetMs: number): boolean {
    const start = now();
    const over = (): boolean => now() - start > budgetMs;
    const ids = this.#ids;
    while (this.#i < ids.length) {
      const k = this.#keyOf(ids[this.#i++]);
      if (k) this.#keys.push(k);
      if ((this.#i & 255) === 0 && over()) return false;
    }
    if (!this.#head) {
      this.#head = this.#select();
      this.#from = this.#keys.slice();
      this.#to = new Array<RankKey>(this.#from.length);
      this.#run = 0;
      if (this.#from.length > 0 && over()) return false;
    }
    const n = this.#from.length;
    // the runs: each sorted in place
    while (this.#run < n) {
      const r = this.#run;
      const run = this.#from.slice(r, r + RUN).sort(this.#cmp);
      for (let j = 0; j < run.length; j++) this.#from[r + j] = run[j];
      this.#run += RUN;
      if (this.#width === 0 && this.#run >= n) this.#width = RUN;
      if (over()) return this.#done();
    }
    this.#width ||= RUN;
    while (this.#width < n) {
      const w = this.#width;
      while (this.#lo < n) {
        this.#merge(this.#lo, Math.min(this.#lo + w, n), Math.min(this.#lo + 2 * w, n));
        this.#lo += 2 * w;
        if (over()) return false;
      }
      [this.#from, this.#to] = [this.#to, this.#from];
      this.#width *= 2;
      this.#lo = 0;
    }
    return this.#done();
  }

  #done(): boolean {
    if (this.#run < this.#from.length || this.#width < this.#from.length) return false;
    this.#order ??= this.#from.map((k) => k.id);
    return true;
  }

  /** The first `first` keys in order: one pass with a small sorted buffer. */
  #select(): RankKey[] {
    const best: RankKey[] = [];
    const k = this.#first;
    for (const key of this.#keys) {
      if (best.length >= k && this.#cmp(key, best[best.length - 1]) >= 0) continue;
      let lo = 0;
      let hi = best.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.#cmp(best[mid], key) <= 0) lo = mid + 1;
        else hi = mid;
      }
      best.splice(lo, 0, key);
      if (best.length > k) best.pop();
    }
    return best;
  }

  /** Merge the sorted from[a, m) and from[m, b) into to[a, b). */
  #merge(a: number, m: number, b: number): void {
    const src = this.#from;
    const dst = this.#to;
    let i = a;
    let j = m;
    let o = a;
    while (i < m && j < b) dst[o++] = this.#cmp(src[j], src[i]) < 0 ? src[j++] : src[i++];
    while (i < m) dst[o++] = src[i++];
    while (j < b) dst[o++] = src[j++];
  }
}
