/**
 * The confirmed mirror of the thread and the fold of events into it (pure functions; the store in
 * state.ts owns one). The mirror changes only through `applyEvent`, in `seq` order.
 */
import type { Comment, Event, Json, Post, WireComment } from "./protocol";
import { NONE, normComment } from "./protocol";

/** Children-index key for replies to the post (ids are never empty). */
export const ROOT = "";

export interface Mirror {
  comments: Map<string, Comment>;
  /** parent id (or ROOT) -> child ids in arrival order */
  children: Map<string, string[]>;
}

export function emptyMirror(): Mirror {
  return { comments: new Map(), children: new Map() };
}

/**
 * Which comments keep their Markdown source (`body`) in the page: the ones its user may edit.
 * The others keep only the sanitised `html` (what is shown, quoted and searched): at 100,000
 * comments the sources alone are some 35 MB of page heap.
 */
export type KeepBody = (c: Comment) => boolean;

export function mirrorFrom(comments: Iterable<WireComment>, keep?: KeepBody): Mirror {
  const m = emptyMirror();
  for (const c of comments) insertComment(m, c, keep);
  return m;
}

/** The comment as the mirror keeps it: complete, shared empty values, `body` only if kept. */
export function compact(c: Comment, keep?: KeepBody): Comment {
  const drop = keep !== undefined && c.body !== "" && typeof c.html === "string" && !keep(c);
  const noLikes = c.liked_by.length === 0 && c.liked_by !== NONE;
  if (!drop && !noLikes) return c;
  return { ...c, body: drop ? "" : c.body, liked_by: noLikes ? NONE : c.liked_by };
}

export function insertComment(m: Mirror, raw: WireComment, keep?: KeepBody): void {
  const c = compact(normComment(raw), keep);
  const existed = m.comments.has(c.id);
  m.comments.set(c.id, c);
  if (existed) return;
  const key = c.parent_id ?? ROOT;
  const list = m.children.get(key);
  if (list) list.push(c.id);
  else m.children.set(key, [c.id]);
}

/** `parentId` and its ancestors, nearest first, following `parentOf` (cycle-safe). */
export function walkUp(parentId: string | null, parentOf: (id: string) => string | null): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let p = parentId;
  while (p !== null && !seen.has(p)) {
    seen.add(p);
    out.push(p);
    p = parentOf(p);
  }
  return out;
}

function ancestorsIn(m: Mirror, parentId: string | null): string[] {
  return walkUp(parentId, (p) => m.comments.get(p)?.parent_id ?? null);
}

/** The comment after a non-add event; pure (returns a new object). */
export function foldEvent(c: Comment, e: Event): Comment {
  switch (e.type) {
    case "add":
      return c;
    case "edit":
      return { ...c, body: e.body, html: e.html, edited_at: e.edited_at };
    case "delete":
      return { ...c, status: "deleted", body: "", html: "" };
    case "like":
      return {
        ...c,
        likes: e.likes,
        liked_by: c.liked_by.includes(e.user) ? c.liked_by : [...c.liked_by, e.user],
      };
    case "unlike":
      return { ...c, likes: e.likes, liked_by: c.liked_by.filter((u) => u !== e.user) };
    case "flag":
      return {
        ...c,
        flags: [...c.flags.filter((f) => f.user !== e.user), { user: e.user, at: e.at, reason: e.reason }],
      };
    case "unflag":
      return { ...c, flags: c.flags.filter((f) => f.user !== e.user) };
    case "moderate":
      return { ...c, status: e.status, moderation: { action: e.action, by: e.actor, at: e.at, reason: e.reason } };
    case "pin":
      return { ...c, pinned: e.pinned };
    case "lock":
      return { ...c, locked: e.locked ? { by: e.actor, at: e.at, reason: e.reason } : null };
    case "vote":
      return { ...c, votes: withEntry(c.votes, e.user, e.choice) };
    case "label":
      return { ...c, labels: withEntry(c.labels, e.user, e.label) };
    case "set_extra":
      return { ...c, extra: mergeExtra(c.extra, e.extra) };
  }
}

/** `rec` with `key` set to `value` (removed for null); a new object. */
function withEntry(rec: Record<string, string>, key: string, value: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(rec)) if (k !== key) out[k] = rec[k];
  if (value !== null) out[key] = value;
  return out;
}

/** The kernel's merge of `extra`: patch keys win, null values remove the key. */
export function mergeExtra(old: Record<string, Json>, patch: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...old, ...patch };
  for (const k of Object.keys(out)) if (out[k] === null) delete out[k];
  return out;
}

/** True for the events that change the post rather than a comment (thread lock, post extra). */
export function isPostEvent(e: Event): boolean {
  return (e.type === "lock" || e.type === "set_extra") && e.id === null;
}

/** The post after a post event; pure. */
export function foldPost(p: Post, e: Event): Post {
  if (e.type === "lock") return { ...p, locked: e.locked ? { by: e.actor, at: e.at, reason: e.reason } : null };
  if (e.type === "set_extra") return { ...p, extra: mergeExtra(p.extra ?? {}, e.extra) };
  return p;
}

function descendantsIn(m: Mirror, id: string): string[] {
  const out: string[] = [];
  const stack = [...(m.children.get(id) ?? [])];
  const seen = new Set<string>();
  while (stack.length) {
    const k = stack.pop() as string;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(k);
    for (const g of m.children.get(k) ?? []) stack.push(g);
  }
  return out;
}

/**
 * Apply one event to a mirror (mutating it). Returns the ids whose rendering may change: the
 * comment itself and, for structural changes (add, delete), its ancestors (reply counts and
 * `[deleted]` placeholders depend on descendants).
 */
export function applyEvent(m: Mirror, e: Event, keep?: KeepBody): string[] {
  if (e.type === "add") {
    if (m.comments.has(e.comment.id)) return [];
    insertComment(m, e.comment, keep);
    return [e.comment.id, ...ancestorsIn(m, e.comment.parent_id)];
  }
  if (e.id === null) return []; // a post event: the store updates the post
  const c = m.comments.get(e.id);
  if (!c) return [];
  m.comments.set(e.id, e.type === "edit" ? compact(foldEvent(c, e), keep) : foldEvent(c, e));
  if (e.type === "delete" || e.type === "moderate") return [e.id, ...ancestorsIn(m, c.parent_id)];
  // a lock changes which reply buttons the whole subtree shows
  if (e.type === "lock") return [e.id, ...descendantsIn(m, e.id)];
  return [e.id];
}
