/**
 * Own operations the kernel has not confirmed yet (*pending*), and what the page shows: the
 * confirmed mirror (mirror.ts) with the pending operations drawn over it by `display()` and
 * `childIds()`; they are never written into the mirror. The store (state.ts) adds the messages,
 * the sync and the rollback on a reject.
 */
import type { Comment, CommentStatus, Event, Lock, ModerationAction, Op, Post, Role, Sort } from "./protocol";
import { normComment } from "./protocol";
import type { RankKey } from "./ranking";
import { Ranker, compareKeys } from "./ranking";
import type { Mirror } from "./mirror";
import { ROOT, emptyMirror, foldEvent, walkUp } from "./mirror";
import type { FirstScreenCounts } from "./snapshot-parts";

/** The event the kernel is expected to yield for an own operation (used to draw pending ops). */
export function predictEvent(op: Op, current: Comment | undefined, user: string, at: string): Event | null {
  if (op.type === "add") {
    return {
      type: "add",
      actor: user,
      at,
      comment: normComment({
        id: op.id,
        parent_id: op.parent_id,
        author: user,
        body: op.body,
        created_at: at,
        edited_at: null,
        status: "visible",
        likes: 0,
        liked_by: [],
      }), // normComment adds the empty moderation, vote, label and extra fields
    };
  }
  if (!current) return null;
  switch (op.type) {
    case "edit":
      return { type: "edit", id: op.id, body: op.body, edited_at: at, actor: user, at };
    case "delete":
      return { type: "delete", id: op.id, actor: user, at };
    case "like": {
      const likes = current.liked_by.includes(user) ? current.likes : current.likes + 1;
      return { type: "like", id: op.id, user, likes, actor: user, at };
    }
    case "unlike": {
      const likes = current.liked_by.includes(user) ? Math.max(0, current.likes - 1) : current.likes;
      return { type: "unlike", id: op.id, user, likes, actor: user, at };
    }
    case "flag":
      return { type: "flag", id: op.id, user, reason: (op.reason ?? "").trim(), actor: user, at };
    case "unflag":
      return { type: "unflag", id: op.id, user, actor: user, at };
    case "moderate":
      return {
        type: "moderate",
        id: op.id,
        action: op.action,
        reason: (op.reason ?? "").trim(),
        status: MODERATED[op.action],
        actor: user,
        at,
      };
    case "pin":
      return { type: "pin", id: op.id, pinned: op.pinned ?? true, reason: (op.reason ?? "").trim(), actor: user, at };
    case "lock":
      return {
        type: "lock",
        id: op.id ?? null,
        locked: op.locked ?? true,
        reason: (op.reason ?? "").trim(),
        actor: user,
        at,
      };
    case "vote":
      return { type: "vote", id: op.id, user, choice: op.choice, actor: user, at };
    case "label":
      return { type: "label", id: op.id, user, label: op.label, actor: user, at };
  }
}

/** The status each moderation action gives a comment (core/rules.py `_TRANSITIONS`). */
export const MODERATED: Record<ModerationAction, CommentStatus> = {
  hide: "hidden",
  unhide: "visible",
  spam: "spam",
  not_spam: "visible",
  remove: "removed",
  restore: "visible",
};

export interface Pending {
  rid: string;
  op: Op;
  /** when it was sent (the predicted time) */
  at: string;
}

/** The mirror, the pending operations, and every question the views ask about the thread. */
export abstract class PendingView {
  /** the role of this widget's user (from `_config`): decides what is shown and offered */
  role: Role = "participant";
  /** false while the mirror lacks the comments (a `complete: false` snapshot) */
  complete = true;
  post: Post | null = null;
  mirror: Mirror = emptyMirror();
  readonly pending = new Map<string, Pending>();
  /** scores for the sort orders (its `kind` follows `_config.voting`; see ranking.ts) */
  readonly ranker: Ranker;
  /** the counts of a first-screen snapshot, while the rest has not arrived */
  protected _partial: FirstScreenCounts | null = null;
  /** visible comments in the confirmed mirror, kept up to date event by event */
  protected _visible = 0;
  protected readonly _timeCache = new Map<string, number>();

  constructor(now: () => Date) {
    this.ranker = new Ranker(() => now().getTime());
  }

  abstract get user(): string;

  protected _pendingAdd(id: string): Pending | undefined {
    for (const p of this.pending.values()) if (p.op.type === "add" && p.op.id === id) return p;
    return undefined;
  }

  /** The comment as this view should show it: confirmed, with own pending operations folded in. */
  display(id: string): Comment | undefined {
    let c = this.mirror.comments.get(id);
    if (!c) {
      const p = this._pendingAdd(id);
      if (!p) return undefined;
      const e = predictEvent(p.op, undefined, this.user, p.at);
      if (!e || e.type !== "add") return undefined;
      c = normComment(e.comment);
    }
    for (const p of this.pending.values()) {
      if (p.op.type === "add" || p.op.id !== id) continue;
      const e = predictEvent(p.op, c, this.user, p.at);
      if (e) c = foldEvent(c, e);
    }
    return c;
  }

  /** The lock covering a comment: its own, its nearest locked ancestor's, or the thread's. */
  lockOf(id: string | null): Lock | null {
    for (const a of id === null ? [] : [id, ...this.ancestors(this.parentOf(id))]) {
      const l = this.display(a)?.locked;
      if (l) return l;
    }
    return this.post?.locked ?? null;
  }

  /** True while an own operation on this comment is unconfirmed. */
  isPending(id: string): boolean {
    for (const p of this.pending.values()) if (p.op.id === id) return true;
    return false;
  }

  /** An own new comment not in the confirmed mirror yet. */
  isUnconfirmed(id: string): boolean {
    return !this.mirror.comments.has(id) && this._pendingAdd(id) !== undefined;
  }

  parentOf(id: string): string | null {
    const c = this.mirror.comments.get(id);
    if (c) return c.parent_id;
    const op = this._pendingAdd(id)?.op;
    return op && op.type === "add" ? op.parent_id : null;
  }

  /** `parentId` and its ancestors, nearest first, pending own replies included. */
  ancestors(parentId: string | null): string[] {
    return walkUp(parentId, (p) => this.parentOf(p));
  }

  /** 1 for a reply to the post, 2 for a reply to that, … (data depth is unlimited). */
  depth(id: string): number {
    return this.ancestors(this.parentOf(id)).length + 1;
  }

  /** Child ids of a comment (or ROOT): confirmed ones, then pending adds. */
  childIds(parent: string): string[] {
    const confirmed = this.mirror.children.get(parent) ?? [];
    let extra: string[] | null = null;
    for (const p of this.pending.values()) {
      if (p.op.type !== "add" || (p.op.parent_id ?? ROOT) !== parent) continue;
      if (this.mirror.comments.has(p.op.id)) continue;
      (extra ??= []).push(p.op.id);
    }
    return extra ? [...confirmed, ...extra] : confirmed;
  }

  /**
   * Shown: visible or removed (a placeholder for non-moderators; a moderator also sees hidden
   * and spam comments, greyed), or else with at least one shown reply (drawn as a placeholder).
   */
  isShown(id: string): boolean {
    // iterative (an explicit stack): a chain of any depth below `id` is walked without recursion
    const stack = [id];
    const seen = new Set<string>();
    while (stack.length) {
      const k = stack.pop() as string;
      if (seen.has(k)) continue;
      seen.add(k);
      const c = this.display(k);
      if (!c) continue;
      // removed: everyone sees the "Removed by a moderator" placeholder (Blogger style)
      if (c.status === "visible" || c.status === "removed" || (this.role === "moderator" && c.status !== "deleted"))
        return true;
      for (const g of this.childIds(k)) stack.push(g);
    }
    return false;
  }

  /**
   * Visible (not deleted) comments, pending own ones included: a count kept event by event,
   * corrected by the few pending operations (the whole thread's, from a first-screen snapshot).
   */
  visibleCount(): number {
    if (!this.complete && this._partial) return this._partial.total;
    let n = this._visible;
    const seen = new Set<string>();
    for (const p of this.pending.values()) {
      const id = p.op.id;
      if (id === null || id === undefined || seen.has(id)) continue;
      seen.add(id);
      const was = this.mirror.comments.get(id)?.status === "visible";
      const is = this.display(id)?.status === "visible";
      n += (is ? 1 : 0) - (was ? 1 : 0);
    }
    return n;
  }

  /** While only a first screen is here: how many shown direct replies `id` has in the whole thread (else 0). */
  partialKids(id: string): number {
    return this.complete ? 0 : (this._partial?.replies.get(id)?.[0] ?? 0);
  }

  /** Visible comments below `id` (what "N replies hidden" counts). */
  replyCount(id: string): number {
    const whole = this.complete ? undefined : this._partial?.replies.get(id)?.[1];
    if (whole !== undefined) return whole;
    let n = 0;
    const stack = [...this.childIds(id)];
    const seen = new Set<string>();
    while (stack.length) {
      const k = stack.pop() as string;
      if (seen.has(k)) continue;
      seen.add(k);
      if (this.display(k)?.status === "visible") n++;
      for (const g of this.childIds(k)) stack.push(g);
    }
    return n;
  }

  #time(id: string, c: Comment): number {
    let t = this._timeCache.get(id);
    if (t === undefined) {
      t = Date.parse(c.created_at);
      if (Number.isNaN(t)) t = 0;
      if (this.mirror.comments.has(id)) this._timeCache.set(id, t);
    }
    return t;
  }

  /** Shown children of a comment (or ROOT) in display order (ranking.ts: pinned first, then the sort). */
  sortedChildren(parent: string, sort: Sort): string[] {
    const rows: RankKey[] = [];
    for (const id of this.childIds(parent)) {
      if (!this.isShown(id)) continue;
      rows.push(this.rankKey(id, this.display(id) as Comment, sort));
    }
    rows.sort((a, b) => compareKeys(a, b, sort));
    return rows.map((r) => r.id);
  }

  /** Compare two comments by a sort order (negative: a first). */
  compare(a: string, b: string, sort: Sort): number {
    const ca = this.display(a);
    const cb = this.display(b);
    if (!ca || !cb) return 0;
    return compareKeys(this.rankKey(a, ca, sort), this.rankKey(b, cb, sort), sort);
  }

  /** What a sort orders a comment by (the score cached by `ranker`). */
  rankKey(id: string, c: Comment, sort: Sort): RankKey {
    const t = this.#time(id, c);
    return { id, t, pinned: c.pinned, score: this.ranker.score(c, t, sort) };
  }
}
