/**
 * Transparent ranking: the sort orders and their formulas, the same as
 * `src/threadwidget/core/ranking.py` (checked against `tests/data/ranking_vectors.json`).
 *
 * Siblings are ordered pinned first, then by the sort's key, then older first, then by id. Times
 * are whole milliseconds since the epoch. The two counts every formula starts from (`upDown`):
 * likes -> (likes, reports), updown -> (up votes, down votes), reactions -> (reactions, reports).
 */
import type { Comment, Sort, Voting } from "./protocol";
import type { Fmt } from "./strings";
import { GRAVITY } from "./generated/constants";

export type VotingKind = Voting["kind"];
/** The confidence of "best" (z for 95 %) and the time decay exponent of "hot" (Hacker News). */
export const Z_95 = 1.96;
export { GRAVITY }; // Python's core/ranking.py GRAVITY
const HOUR_MS = 3_600_000;

/** The voting kind of a `_config.voting` value ("likes" when absent or unknown). */
export function votingKind(v: Partial<Voting> | undefined): VotingKind {
  return v?.kind === "updown" || v?.kind === "reactions" ? v.kind : "likes";
}

/** The positive and negative counts of a comment under a voting model (voting.py `up_down`). */
export function upDown(c: Comment, kind: VotingKind): [number, number] {
  if (kind === "updown") {
    let up = 0;
    let down = 0;
    for (const v of Object.values(c.votes)) {
      if (v === "up") up++;
      else if (v === "down") down++;
    }
    return [up, down];
  }
  if (kind === "reactions") return [Object.keys(c.votes).length, c.flags.length];
  return [c.likes, c.flags.length];
}

/** "best": the Wilson score interval's lower bound, (p + z²/2n − z√((p(1−p) + z²/4n)/n)) / (1 + z²/n); 0 without votes. */
export function wilsonLowerBound(up: number, down: number, z = Z_95): number {
  const n = up + down;
  if (n <= 0) return 0;
  const p = up / n;
  const zz = z * z;
  return (p + zz / (2 * n) - z * Math.sqrt((p * (1 - p) + zz / (4 * n)) / n)) / (1 + zz / n);
}

/** "controversial" (Reddit): (up + down) ^ (min / max); 0 unless both counts are positive. */
export function controversy(up: number, down: number): number {
  if (up <= 0 || down <= 0) return 0;
  return Math.pow(up + down, Math.min(up, down) / Math.max(up, down));
}

/** Hours from `createdMs` to `nowMs`; 0 for a comment from the future. */
export function ageHours(createdMs: number, nowMs: number): number {
  return Math.max(0, nowMs - createdMs) / HOUR_MS;
}

/** "hot" (Hacker News): (points − 1) / (age in hours + 2) ^ gravity, with points − 1 = up − down. */
export function hot(up: number, down: number, createdMs: number, nowMs: number, gravity = GRAVITY): number {
  return (up - down) / Math.pow(ageHours(createdMs, nowMs) + 2, gravity);
}

/** The number a sort orders by: top, best, controversial, hot as above; oldest/newest: the time. */
export function scoreOf(
  sort: Sort,
  kind: VotingKind,
  up: number,
  down: number,
  createdMs: number,
  nowMs: number,
): number {
  switch (sort) {
    case "top":
      return kind === "updown" ? up - down : up;
    case "best":
      return wilsonLowerBound(up, down);
    case "controversial":
      return controversy(up, down);
    case "hot":
      return hot(up, down, createdMs, nowMs);
    default:
      return createdMs;
  }
}

export interface RankKey {
  id: string;
  /** created_at in ms */
  t: number;
  pinned: boolean;
  /** the sort's score (unused by oldest/newest) */
  score: number;
}

/** Sibling order (negative: a first): pinned first, then the score (highest first; newest: the later time), then older, then the smaller id. */
export function compareKeys(a: RankKey, b: RankKey, sort: Sort): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (sort === "newest") {
    if (a.t !== b.t) return b.t - a.t;
  } else if (sort !== "oldest" && a.score !== b.score) return b.score - a.score;
  if (a.t !== b.t) return a.t - b.t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A score as the why line shows it: 2 decimals from 1 up, 3 significant digits below, as "2.47e-9" below 0.001 (ranking.py `format_number`). */
export function formatNumber(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a < 0.001) {
    const [m, e] = x.toExponential(2).split("e");
    return `${m.replace(/\.?0+$/, "")}e${Number(e)}`;
  }
  let decimals = 2;
  let threshold = 1;
  while (a < threshold) {
    threshold /= 10;
    decimals++;
  }
  const s = x.toFixed(decimals);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** The inputs and result of a sort's formula, e.g. "best: Wilson lower bound of 5 up / 1 down = 0.436" (ranking.py `formula`). */
export function formulaText(
  f: Fmt,
  sort: Sort,
  kind: VotingKind,
  up: number,
  down: number,
  createdMs: number,
  nowMs: number,
  score: number,
): string {
  if (sort === "oldest" || sort === "newest")
    return f.t(`rank_formula_${sort}`, { time: f.dtf.format(new Date(createdMs)) });
  const v: Record<string, string> = {
    pos: f.t(f.pluralKey(`rank_up_${kind}`, up)),
    neg: f.t(f.pluralKey(`rank_down_${kind}`, down)),
    up: String(up),
    down: String(down),
    score: formatNumber(score),
  };
  if (sort === "top") return f.t(kind === "updown" ? "rank_formula_top" : "rank_formula_top_count", v);
  if (sort === "controversial") {
    if (up <= 0 || down <= 0) return f.t("rank_formula_controversial_zero", v);
    v.min = String(Math.min(up, down));
    v.max = String(Math.max(up, down));
  }
  if (sort === "hot") {
    v.hours = formatNumber(ageHours(createdMs, nowMs));
    v.gravity = formatNumber(GRAVITY);
  }
  return f.t(`rank_formula_${sort}`, v);
}

/**
 * The scores of one store: computed once per comment object (comments are immutable, so a
 * change is a new object) for the current sort, voting kind and clock. "hot" reads the clock
 * when the order switches to it, not on every comparison: the page does not re-sort by itself.
 */
export class Ranker {
  kind: VotingKind = "likes";
  /** the clock of "hot" (ms), fixed when the order switched to "hot" */
  hotNow = 0;
  #clock: () => number;
  #sort: Sort | null = null;
  #kind: VotingKind = "likes";
  #cache = new WeakMap<Comment, number>();

  constructor(clock: () => number = () => Date.now()) {
    this.#clock = clock;
  }

  /** The score of `c` (created at `t` ms) under `sort`. */
  score(c: Comment, t: number, sort: Sort): number {
    if (sort !== this.#sort || this.kind !== this.#kind) {
      if (sort === "hot" && this.#sort !== "hot") this.hotNow = this.#clock();
      this.#sort = sort;
      this.#kind = this.kind;
      this.#cache = new WeakMap();
    }
    if (sort === "oldest" || sort === "newest") return t;
    let s = this.#cache.get(c);
    if (s === undefined) {
      const [up, down] = upDown(c, this.kind);
      s = scoreOf(sort, this.kind, up, down, t, this.hotNow);
      this.#cache.set(c, s);
    }
    return s;
  }
}
