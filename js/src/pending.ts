/**
 * Own operations the kernel has not confirmed yet (*pending*) and how they make the thread look:
 * the confirmed mirror (mirror.ts) with them drawn over it by `display()` and `childIds()`; they
 * are never written into the mirror. The store (state.ts) holds one `PendingOps` and sends them,
 * settles them on an ack and rolls them back on a reject.
 */
import type { Comment, CommentStatus, Event, ModerationAction, Op } from "./protocol";
import { normComment } from "./protocol";
import type { Mirror } from "./mirror";
import { ROOT, foldEvent, walkUp } from "./mirror";

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

/** What the pending operations are drawn over: the confirmed mirror (replaced on a reload) and whose they are. */
export interface Confirmed {
  readonly mirror: Mirror;
  readonly user: string;
}

/**
 * Own operations sent and not yet acknowledged, and the thread as they make it look: the
 * confirmed mirror with them folded in (`display`, `childIds`, `parentOf`); never written into it.
 */
export class PendingOps {
  readonly #sent = new Map<string, Pending>();
  readonly #base: Confirmed;

  constructor(base: Confirmed) {
    this.#base = base;
  }

  /** The operations waiting for an answer, by request id. */
  get sent(): ReadonlyMap<string, Pending> {
    return this.#sent;
  }

  get size(): number {
    return this.#sent.size;
  }

  add(p: Pending): void {
    this.#sent.set(p.rid, p);
  }

  /** Forget an operation (acknowledged or refused); returns it, or undefined if it was not pending. */
  take(rid: string): Pending | undefined {
    const p = this.#sent.get(rid);
    if (p) this.#sent.delete(rid);
    return p;
  }

  /** A pending add whose comment is already in a new mirror has been applied: forget it. */
  dropSettledAdds(): void {
    const m = this.#base.mirror;
    for (const [rid, p] of this.#sent) if (p.op.type === "add" && m.comments.has(p.op.id)) this.#sent.delete(rid);
  }

  #pendingAdd(id: string): Pending | undefined {
    for (const p of this.#sent.values()) if (p.op.type === "add" && p.op.id === id) return p;
    return undefined;
  }

  /** The comment as this view should show it: confirmed, with own pending operations folded in. */
  display(id: string): Comment | undefined {
    const user = this.#base.user;
    let c = this.#base.mirror.comments.get(id);
    if (!c) {
      const p = this.#pendingAdd(id);
      if (!p) return undefined;
      const e = predictEvent(p.op, undefined, user, p.at);
      if (!e || e.type !== "add") return undefined;
      c = normComment(e.comment);
    }
    for (const p of this.#sent.values()) {
      if (p.op.type === "add" || p.op.id !== id) continue;
      const e = predictEvent(p.op, c, user, p.at);
      if (e) c = foldEvent(c, e);
    }
    return c;
  }

  /** True while an own operation on this comment is unconfirmed. */
  isPending(id: string): boolean {
    for (const p of this.#sent.values()) if (p.op.id === id) return true;
    return false;
  }

  /** An own new comment not in the confirmed mirror yet. */
  isUnconfirmed(id: string): boolean {
    return !this.#base.mirror.comments.has(id) && this.#pendingAdd(id) !== undefined;
  }

  parentOf(id: string): string | null {
    const c = this.#base.mirror.comments.get(id);
    if (c) return c.parent_id;
    const op = this.#pendingAdd(id)?.op;
    return op && op.type === "add" ? op.parent_id : null;
  }

  /** `parentId` and its ancestors, nearest first, pending own replies included. */
  ancestors(parentId: string | null): string[] {
    return walkUp(parentId, (p) => this.parentOf(p));
  }

  /** Child ids of a comment (or ROOT): confirmed ones, then pending adds. */
  childIds(parent: string): string[] {
    const m = this.#base.mirror;
    const confirmed = m.children.get(parent) ?? [];
    let extra: string[] | null = null;
    for (const p of this.#sent.values()) {
      if (p.op.type !== "add" || (p.op.parent_id ?? ROOT) !== parent) continue;
      if (m.comments.has(p.op.id)) continue;
      (extra ??= []).push(p.op.id);
    }
    return extra ? [...confirmed, ...extra] : confirmed;
  }

  /** How many comments the pending operations make visible (or no longer visible), beside the mirror's count. */
  visibleDelta(): number {
    let n = 0;
    const seen = new Set<string>();
    for (const p of this.#sent.values()) {
      const id = p.op.id;
      if (id === null || id === undefined || seen.has(id)) continue;
      seen.add(id);
      const was = this.#base.mirror.comments.get(id)?.status === "visible";
      const is = this.display(id)?.status === "visible";
      n += (is ? 1 : 0) - (was ? 1 : 0);
    }
    return n;
  }

  /** The comments an operation redraws: its target, and the ancestors whose counts it changes. */
  idsOf(op: Op): string[] {
    if (op.type === "add") return [op.id, ...this.ancestors(op.parent_id)];
    if (op.id === null || op.id === undefined) return [];
    if (op.type === "delete" || op.type === "moderate") return [op.id, ...this.ancestors(this.parentOf(op.id))];
    return [op.id];
  }
}
