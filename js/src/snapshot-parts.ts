/**
 * What a snapshot sent in parts leaves with the store until it is whole: the buffer of parts being
 * folded, and the counts of a first-screen snapshot (page/first_screen.py) for what has not arrived.
 */
import type { Post, Snapshot } from "./protocol";
import type { Mirror } from "./mirror";

export interface PartsBuffer {
  epoch: string;
  seq: number;
  parts: number;
  rid: string | null;
  post: Post | null;
  confirmed: string[];
  /** the comments of the parts received so far, folded in as they arrive (no long task at the end) */
  mirror: Mirror;
  visible: number;
  seen: Set<number>;
}

/** What a first-screen snapshot (`_snapshot.first_screen`, first_screen.py) says about the rest. */
export interface FirstScreenCounts {
  total: number;
  /** comment id -> [shown direct replies, visible comments below] in the whole thread */
  replies: Map<string, readonly [number, number]>;
}

export function firstScreenCounts(s: Snapshot): FirstScreenCounts | null {
  const fs = (s as { first_screen?: unknown }).first_screen;
  if (!fs || typeof fs !== "object") return null;
  const { total, replies } = fs as { total?: unknown; replies?: unknown };
  const map = new Map<string, readonly [number, number]>();
  if (replies && typeof replies === "object") {
    for (const [id, v] of Object.entries(replies as Record<string, unknown>)) {
      if (Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "number") map.set(id, [v[0], v[1]]);
    }
  }
  return { total: typeof total === "number" ? total : 0, replies: map };
}
