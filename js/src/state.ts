/**
 * The page-level mirror of the thread (one per widget model, shared by all its views).
 *
 * The confirmed mirror changes only through `applyEvent`, in `seq` order. Own operations that the
 * kernel has not confirmed yet are kept aside as *pending* and drawn over the mirror by `display()`
 * and `childIds()`; they are never written into it. An ack (the event carrying the request's rid)
 * or a reject removes them.
 */
import { isSaved } from "./saved";
import type {
  CatchupMsg,
  Comment,
  CommentStatus,
  Json,
  Lock,
  ModerationAction,
  Event,
  EventMsg,
  IncomingMsg,
  Op,
  OutgoingMsg,
  Post,
  RejectMsg,
  ReplyMsg,
  RequestMsg,
  Role,
  Snapshot,
  SnapshotMsg,
  WireComment,
  Sort,
} from "./protocol";
import { LOST_REASON, NONE, normComment } from "./protocol";
import type { RankKey } from "./ranking";
import { Ranker, compareKeys } from "./ranking";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Above this many comments (or snapshot parts) the mirror keeps only the sources the user may edit. */
const SLIM_ABOVE = 2000;
const SLIM_PARTS = 4;

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

function insertComment(m: Mirror, raw: WireComment, keep?: KeepBody): void {
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
function walkUp(parentId: string | null, parentOf: (id: string) => string | null): string[] {
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
      return { ...c, flags: [...c.flags.filter((f) => f.user !== e.user), { user: e.user, at: e.at, reason: e.reason }] };
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

/** The event the kernel is expected to yield for an own operation (used to draw pending ops). */
export function predictEvent(
  op: Op,
  current: Comment | undefined,
  user: string,
  at: string,
): Event | null {
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
      return { type: "moderate", id: op.id, action: op.action, reason: (op.reason ?? "").trim(), status: MODERATED[op.action], actor: user, at };
    case "pin":
      return { type: "pin", id: op.id, pinned: op.pinned ?? true, reason: (op.reason ?? "").trim(), actor: user, at };
    case "lock":
      return { type: "lock", id: op.id ?? null, locked: op.locked ?? true, reason: (op.reason ?? "").trim(), actor: user, at };
    case "vote":
      return { type: "vote", id: op.id, user, choice: op.choice, actor: user, at };
    case "label":
      return { type: "label", id: op.id, user, label: op.label, actor: user, at };
  }
}

/** The status each moderation action gives a comment (ops.py `_TRANSITIONS`). */
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

export interface Change {
  /** comment ids whose rendering may have changed (empty on reset) */
  ids: string[];
  /** the whole mirror was replaced: re-render everything */
  reset: boolean;
  /** the post changed: a thread lock (every reply button changes) or its extra data */
  post?: "lock" | "extra";
}

export interface RejectNotice {
  rid: string;
  reason: string;
  field: string | null;
  op: Op;
}

export interface StoreOptions {
  send: (msg: OutgoingMsg) => void;
  client?: string;
  user?: string;
  now?: () => Date;
  /** ask for a sync when an own request has had no answer for this long (ms); 0 disables */
  staleAfterMs?: number;
}

export function randomClientId(): string {
  const bytes = new Uint8Array(5);
  if (typeof crypto !== "undefined" && typeof crypto.getRandomValues === "function") {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("") + Date.now().toString(36).slice(-3);
}

interface PartsBuffer {
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
interface Partial {
  total: number;
  /** comment id -> [shown direct replies, visible comments below] in the whole thread */
  replies: Map<string, readonly [number, number]>;
}

function partialOf(s: Snapshot): Partial | null {
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

export class ThreadStore {
  readonly client: string;
  /** the role of this widget's user (from `_config`): decides what is shown and offered */
  role: Role = "participant";
  epoch = "";
  seq = 0;
  /** false while the mirror lacks the comments (a `complete: false` snapshot) */
  complete = true;
  post: Post | null = null;
  mirror: Mirror = emptyMirror();
  readonly pending = new Map<string, Pending>();
  /** scores for the sort orders (its `kind` follows `_config.voting`; see ranking.ts) */
  readonly ranker: Ranker;

  #send: (msg: OutgoingMsg) => void;
  #now: () => Date;
  #counter = 0;
  #syncing = false;
  #parts: PartsBuffer | null = null;
  /** the counts of a first-screen snapshot, while the rest has not arrived */
  #partial: Partial | null = null;
  /** visible comments in the confirmed mirror, kept up to date event by event */
  #visible = 0;
  #batch: Set<string> | null = null;
  #batchReset = false;
  #listeners = new Set<(c: Change) => void>();
  #rejectListeners = new Set<(r: RejectNotice) => void>();
  #focusListeners = new Set<(id: string) => void>();
  #replyListeners = new Set<(msg: ReplyMsg) => void>();
  #timeCache = new Map<string, number>();
  /** sync rid -> the request rids pending when that sync was sent */
  #syncWaits = new Map<string, Set<string>>();
  #staleAfterMs: number;
  #staleTimer: ReturnType<typeof setTimeout> | null = null;

  /** the page's user; the mirror keeps the Markdown source of their comments only (KeepBody) */
  #user: string;
  /** the user changed: the next sync asks for the whole thread again (their sources) */
  #refetch = false;
  /** a long thread: the mirror drops the sources the user cannot edit (KeepBody) */
  #slim = false;
  readonly #keep: KeepBody = (c) => !this.#slim || c.author === this.#user;

  constructor(opts: StoreOptions) {
    this.#send = opts.send;
    this.client = opts.client ?? randomClientId();
    this.#user = opts.user ?? "";
    this.#now = opts.now ?? (() => new Date());
    this.ranker = new Ranker(() => this.#now().getTime());
    this.#staleAfterMs = opts.staleAfterMs ?? 15_000;
  }

  get user(): string {
    return this.#user;
  }

  /** A new user: the mirror lacks the sources of their comments, so it is fetched again. */
  set user(u: string) {
    if (u === this.#user) return;
    this.#user = u;
    if (this.#slim && this.complete && this.post !== null && [...this.mirror.comments.values()].some((c) => c.author === u && c.body === "" && c.status !== "deleted")) {
      this.#refetch = true;
      this.requestSync(true);
    }
  }

  /** Stop timers (the model went away). */
  dispose(): void {
    if (this.#staleTimer !== null) clearTimeout(this.#staleTimer);
    this.#staleTimer = null;
    this.#listeners.clear();
    this.#rejectListeners.clear();
    this.#focusListeners.clear();
    this.#replyListeners.clear();
  }

  /**
   * An answer (event or reject) can be lost, e.g. while the kernel restarts its comm. A request
   * unanswered for `staleAfterMs` triggers a sync, whose answer settles it (rule 4).
   */
  #watchPending(): void {
    if (this.#staleAfterMs <= 0 || this.#staleTimer !== null) return;
    this.#staleTimer = setTimeout(() => {
      this.#staleTimer = null;
      if (this.pending.size === 0) return;
      const cutoff = this.#now().getTime() - this.#staleAfterMs;
      let stale = false;
      for (const p of this.pending.values()) if (Date.parse(p.at) <= cutoff) stale = true;
      if (stale) this.requestSync(true);
      this.#watchPending();
    }, this.#staleAfterMs);
  }

  // ---- subscriptions ---------------------------------------------------------------------

  subscribe(fn: (c: Change) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  onReject(fn: (r: RejectNotice) => void): () => void {
    this.#rejectListeners.add(fn);
    return () => this.#rejectListeners.delete(fn);
  }

  /** `{"kind": "focus"}` from the kernel: every view of the model focuses the comment. */
  onFocus(fn: (id: string) => void): () => void {
    this.#focusListeners.add(fn);
    return () => this.#focusListeners.delete(fn);
  }

  #touch(ids: Iterable<string>): void {
    if (this.#batch) {
      for (const id of ids) this.#batch.add(id);
      return;
    }
    const list = [...ids];
    if (list.length) this.#emit({ ids: list, reset: false });
  }

  #markReset(): void {
    if (this.#batch) this.#batchReset = true;
    else this.#emit({ ids: [], reset: true });
  }

  #emit(c: Change): void {
    for (const fn of [...this.#listeners]) fn(c);
  }

  /** Run `fn` and emit one change for everything it touched. */
  #batched(fn: () => void): void {
    if (this.#batch) return fn();
    this.#batch = new Set();
    this.#batchReset = false;
    try {
      fn();
    } finally {
      const ids = this.#batch;
      const reset = this.#batchReset;
      this.#batch = null;
      this.#batchReset = false;
      if (reset) this.#emit({ ids: [], reset: true });
      else if (ids.size) this.#emit({ ids: [...ids], reset: false });
    }
  }

  // ---- loading -----------------------------------------------------------------------------

  /** Replace the mirror with a snapshot (from the `_snapshot` trait). */
  load(s: Snapshot): void {
    this.epoch = s.epoch;
    this.seq = s.seq;
    this.post = s.post;
    this.complete = s.complete !== false;
    // an incomplete snapshot may carry the first screen (first_screen.py): paint it at once
    this.#slim = (s.comments?.length ?? 0) > SLIM_ABOVE || (!this.complete && partialOf(s) !== null);
    this.mirror = mirrorFrom(s.comments ?? [], this.#keep);
    this.#partial = this.complete ? null : partialOf(s);
    this.#visible = 0;
    for (const c of this.mirror.comments.values()) if (c.status === "visible") this.#visible++;
    this.#parts = null;
    this.#timeCache.clear();
    this.#dropSettledAdds();
    this.#markReset();
  }

  /**
   * The `_snapshot` trait changed. A new epoch means Python replaced the thread: throw the mirror
   * away, start from the trait and sync. The same epoch is ignored (the trait is never newer than
   * the mirror within an epoch).
   */
  onSnapshotTrait(s: Snapshot | null | undefined): void {
    if (!s || typeof s.epoch !== "string") return;
    if (s.epoch === this.epoch && this.post !== null) return;
    if (isSaved(s) && this.post !== null && !isSaved(this)) {
      // the kernel refreshed what a saved notebook carries: a live view just checks it is current
      this.requestSync();
      return;
    }
    this.load(s);
    this.requestSync(true);
  }

  /** Ask the kernel for what this view missed. Coalesced while a sync is in flight. */
  requestSync(force = false): void {
    if (this.#syncing && !force) return;
    this.#syncing = true;
    this.#counter++;
    const rid = `${this.client}-${this.#counter}`;
    this.#syncWaits.set(rid, new Set(this.pending.keys()));
    this.#send({
      kind: "sync",
      client: this.client,
      // An incomplete snapshot has no comments: name no epoch so the kernel sends snapshot parts.
      epoch: this.complete && !this.#refetch ? this.epoch : "",
      seq: this.seq,
      rid,
    });
  }

  /**
   * The complete answer to a sync arrived. The kernel handles one client's messages in order,
   * so every request pending when that sync was sent has been decided: confirmed ones are gone
   * from `pending` already (acked by an event) or listed in `confirmed`; the rest were refused
   * and their reject was lost.
   */
  #settleSync(rid: string | null | undefined, confirmed: readonly string[]): void {
    for (const r of confirmed) {
      const p = this.pending.get(r);
      if (!p) continue;
      this.pending.delete(r);
      this.#touch(this.#idsOfOp(p.op));
    }
    if (!rid) return;
    const waiting = this.#syncWaits.get(rid);
    if (!waiting) return;
    // Earlier syncs were answered before this one (in order): forget them too.
    for (const k of [...this.#syncWaits.keys()]) {
      this.#syncWaits.delete(k);
      if (k === rid) break;
    }
    for (const r of waiting) {
      if (this.pending.has(r)) this.#rejectPending(r, LOST_REASON, null);
    }
  }

  get isSyncing(): boolean {
    return this.#syncing;
  }

  // ---- incoming messages -------------------------------------------------------------------

  handleMessage(msg: IncomingMsg): void {
    switch (msg.kind) {
      case "event":
        return this.#batched(() => this.#onEvent(msg));
      case "reject":
        return this.#onRejectMsg(msg);
      case "catchup":
        if (msg.to !== this.client) return;
        return this.#batched(() => this.#onCatchup(msg));
      case "snapshot":
        if (msg.to !== this.client) return;
        return this.#batched(() => this.#onSnapshotPart(msg));
      case "focus":
        for (const fn of [...this.#focusListeners]) fn(msg.id);
        return;
      case "action_result":
      case "timeline":
      case "replay_state":
        for (const fn of [...this.#replyListeners]) fn(msg);
        return;
    }
  }

  /** Send a request (custom action, timeline, replay); its answer reaches `onReply` listeners. */
  request(msg: DistributiveOmit<RequestMsg, "rid">): string {
    this.#counter++;
    const rid = `${this.client}-q${this.#counter}`;
    this.#send({ ...msg, rid });
    return rid;
  }

  /** Listen for answers to requests (every view's: match the rid). */
  onReply(fn: (msg: ReplyMsg) => void): () => void {
    this.#replyListeners.add(fn);
    return () => this.#replyListeners.delete(fn);
  }

  #onEvent(msg: EventMsg): void {
    if (msg.epoch !== this.epoch || !this.complete) {
      // A thread we do not hold (a replacement not seen yet, or comments not loaded yet).
      if (this.complete) this.requestSync();
      return;
    }
    this.#applySeq(msg.seq, msg.rid, msg.event);
  }

  /** Apply an event by the seq rules; false on a gap. */
  #applySeq(seq: number, rid: string | null, event: Event): boolean {
    if (seq <= this.seq) return true; // duplicate: already applied
    if (seq > this.seq + 1) {
      this.requestSync();
      return false;
    }
    this.seq = seq;
    if (event.type === "add") this.#timeCache.delete(event.comment.id);
    if (isPostEvent(event)) {
      if (this.post) this.post = foldPost(this.post, event);
      this.#emit({ ids: [], reset: false, post: event.type === "lock" ? "lock" : "extra" });
    }
    const target = event.type === "add" ? event.comment.id : event.id;
    const was = target === null ? undefined : this.mirror.comments.get(target)?.status;
    this.#touch(applyEvent(this.mirror, event, this.#keep));
    const is = target === null ? undefined : this.mirror.comments.get(target)?.status;
    this.#visible += (is === "visible" ? 1 : 0) - (was === "visible" ? 1 : 0);
    if (rid !== null && rid !== undefined) {
      const p = this.pending.get(rid);
      if (p) {
        this.pending.delete(rid);
        this.#touch(this.#idsOfOp(p.op));
      }
    }
    return true;
  }

  #onCatchup(msg: CatchupMsg): void {
    if (msg.epoch !== this.epoch) {
      if (msg.done) this.requestSync(true);
      return;
    }
    let gap = false;
    for (const e of msg.events) {
      if (!this.#applySeq(e.seq, e.rid ?? null, e.event)) {
        gap = true;
        break;
      }
    }
    if (msg.done) {
      this.#syncing = false;
      if (gap) {
        if (msg.rid) this.#syncWaits.delete(msg.rid);
        this.requestSync();
      } else {
        this.#settleSync(msg.rid, []);
      }
    }
  }

  #onSnapshotPart(msg: SnapshotMsg): void {
    let buf = this.#parts;
    if (msg.part === 0 || !buf || buf.epoch !== msg.epoch || buf.seq !== msg.seq) {
      if (msg.part !== 0) return; // a stray part of an abandoned snapshot
      buf = {
        epoch: msg.epoch,
        seq: msg.seq,
        parts: Math.max(1, msg.parts),
        rid: msg.rid ?? null,
        post: null,
        confirmed: [],
        mirror: emptyMirror(),
        visible: 0,
        seen: new Set(),
      };
      this.#parts = buf;
      this.#slim = buf.parts >= SLIM_PARTS;
    }
    if (msg.post) buf.post = msg.post;
    if (msg.confirmed) buf.confirmed = msg.confirmed;
    if (!buf.seen.has(msg.part)) {
      buf.seen.add(msg.part);
      for (const c of msg.comments ?? []) {
        if (!buf.mirror.comments.has(c.id) && (c.status ?? "visible") === "visible") buf.visible++;
        insertComment(buf.mirror, c, this.#keep);
      }
    }
    if (buf.seen.size < buf.parts) return;
    this.#parts = null;
    this.#refetch = false;
    this.epoch = buf.epoch;
    this.seq = buf.seq;
    if (buf.post) this.post = buf.post;
    this.complete = true;
    this.#partial = null;
    this.mirror = buf.mirror;
    this.#visible = buf.visible;
    this.#timeCache.clear();
    this.#syncing = false;
    this.#dropSettledAdds();
    this.#markReset();
    this.#settleSync(buf.rid, buf.confirmed);
  }

  #onRejectMsg(msg: RejectMsg): void {
    if (msg.rid === null || msg.rid === undefined) return;
    this.#batched(() => this.#rejectPending(msg.rid as string, msg.reason, msg.field ?? null));
  }

  #rejectPending(rid: string, reason: string, field: string | null): void {
    const p = this.pending.get(rid);
    if (!p) return; // someone else's request, or already decided
    const ids = this.#idsOfOp(p.op);
    this.pending.delete(rid);
    // Reject listeners first (a view restores its draft), then the rollback redraw.
    const notice: RejectNotice = { rid, reason, field, op: p.op };
    for (const fn of [...this.#rejectListeners]) fn(notice);
    this.#touch(ids);
  }

  /** A pending add whose comment is already in a new mirror has been applied: forget it. */
  #dropSettledAdds(): void {
    for (const [rid, p] of this.pending) {
      if (p.op.type === "add" && this.mirror.comments.has(p.op.id)) this.pending.delete(rid);
    }
  }

  // ---- own operations ----------------------------------------------------------------------

  nextCommentId(): string {
    this.#counter++;
    return `${this.client}-a${this.#counter}`;
  }

  /** Send an operation; it is drawn as pending until acked or rejected. Returns its rid. */
  submit(op: Op): string {
    this.#counter++;
    const rid = `${this.client}-${this.#counter}`;
    this.pending.set(rid, { rid, op, at: this.#now().toISOString() });
    this.#send({ kind: "op", rid, op });
    this.#touch(this.#idsOfOp(op));
    this.#watchPending();
    return rid;
  }

  #idsOfOp(op: Op): string[] {
    if (op.type === "add") return [op.id, ...this.ancestors(op.parent_id)];
    if (op.id === null || op.id === undefined) return [];
    if (op.type === "delete" || op.type === "moderate") return [op.id, ...this.ancestors(this.parentOf(op.id))];
    return [op.id];
  }

  // ---- queries (pending drawn over the mirror) ---------------------------------------------

  #pendingAdd(id: string): Pending | undefined {
    for (const p of this.pending.values()) if (p.op.type === "add" && p.op.id === id) return p;
    return undefined;
  }

  /** The comment as this view should show it: confirmed, with own pending operations folded in. */
  display(id: string): Comment | undefined {
    let c = this.mirror.comments.get(id);
    if (!c) {
      const p = this.#pendingAdd(id);
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
    return !this.mirror.comments.has(id) && this.#pendingAdd(id) !== undefined;
  }

  parentOf(id: string): string | null {
    const c = this.mirror.comments.get(id);
    if (c) return c.parent_id;
    const op = this.#pendingAdd(id)?.op;
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
    const c = this.display(id);
    if (!c) return false;
    // removed: everyone sees the "Removed by a moderator" placeholder (Blogger style)
    if (c.status === "visible" || c.status === "removed" || (this.role === "moderator" && c.status !== "deleted")) return true;
    return this.childIds(id).some((k) => this.isShown(k));
  }

  /**
   * Visible (not deleted) comments, pending own ones included: a count kept event by event,
   * corrected by the few pending operations (the whole thread's, from a first-screen snapshot).
   */
  visibleCount(): number {
    if (!this.complete && this.#partial) return this.#partial.total;
    let n = this.#visible;
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
    return this.complete ? 0 : (this.#partial?.replies.get(id)?.[0] ?? 0);
  }

  /** Visible comments below `id` (what "N replies hidden" counts). */
  replyCount(id: string): number {
    const whole = this.complete ? undefined : this.#partial?.replies.get(id)?.[1];
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
    let t = this.#timeCache.get(id);
    if (t === undefined) {
      t = Date.parse(c.created_at);
      if (Number.isNaN(t)) t = 0;
      if (this.mirror.comments.has(id)) this.#timeCache.set(id, t);
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
