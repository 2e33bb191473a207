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
  Event,
  EventMsg,
  EventsMsg,
  IncomingMsg,
  Lock,
  Op,
  OutgoingMsg,
  Post,
  RejectMsg,
  ReplyMsg,
  RequestMsg,
  Role,
  Snapshot,
  SnapshotMsg,
  Sort,
} from "./protocol";
import { GONE_REASON, LOST_REASON, OFFLINE_REASON } from "./protocol";
import type { Link } from "./connection";
import type { KeepBody, Mirror } from "./mirror";
import { applyEvent, emptyMirror, foldPost, insertComment, isPostEvent, mirrorFrom } from "./mirror";
import type { Pending } from "./pending";
import { PendingOps } from "./pending";
import type { RankKey } from "./ranking";
import { Ranker, compareKeys } from "./ranking";
import type { FirstScreenCounts, PartsBuffer } from "./snapshot-parts";
import { firstScreenCounts } from "./snapshot-parts";

export * from "./mirror";
export * from "./pending";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Above this many comments (or snapshot parts) the mirror keeps only the sources the user may edit. */
const SLIM_ABOVE = 2000;
const SLIM_PARTS = 4;

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
  /** false: not sent (the comm is closed) */
  send: (msg: OutgoingMsg) => unknown;
  client?: string;
  user?: string;
  now?: () => Date;
  /** ask for a sync when an own request has had no answer for this long (ms); 0 disables */
  staleAfterMs?: number;
  /** ask again when a sync has had no (further) answer for this long (ms); 0 disables */
  syncRetryMs?: number;
}

/** A sync unanswered this long (no part of its answer) is sent again. */
export const SYNC_RETRY_MS = 10_000;
const SYNC_RETRY_MAX_MS = 300_000;
/** How long an event ahead of a missing one waits for it before the view syncs (ms). */
const GAP_WAIT_MS = 300;
const AHEAD_MAX = 5000;
/** ... and longer for a long thread (the kernel builds the whole answer before its first part). */
const SYNC_RETRY_PER_COMMENT_MS = 1;

export function randomClientId(): string {
  const bytes = new Uint8Array(5);
  if (typeof crypto !== "undefined" && typeof crypto.getRandomValues === "function") {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("") + Date.now().toString(36).slice(-3);
}

export class ThreadStore {
  readonly client: string;
  epoch = "";
  seq = 0;
  /** the role of this widget's user (from `_config`): decides what is shown and offered */
  role: Role = "participant";
  /** false while the mirror lacks the comments (a `complete: false` snapshot) */
  complete = true;
  post: Post | null = null;
  /** the confirmed thread: changes only through `applyEvent`, in `seq` order */
  mirror: Mirror = emptyMirror();
  /** scores for the sort orders (its `kind` follows `_config.voting`; see ranking.ts) */
  readonly ranker: Ranker;
  /** own operations sent and not acknowledged yet, drawn over the mirror (pending.ts) */
  readonly #ops: PendingOps = new PendingOps(this);
  /** the counts of a first-screen snapshot, while the rest has not arrived */
  #partial: FirstScreenCounts | null = null;
  /** visible comments in the confirmed mirror, kept up to date event by event */
  #visible = 0;
  readonly #timeCache = new Map<string, number>();

  #send: (msg: OutgoingMsg) => unknown;
  #now: () => Date;
  #counter = 0;
  #syncing = false;
  #parts: PartsBuffer | null = null;
  #batch: Set<string> | null = null;
  #batchReset = false;
  #listeners = new Set<(c: Change) => void>();
  /** changes emitted so far: what is computed from the mirror holds while it stays the same */
  #version = 0;
  readonly #orders = new Map<string, { version: number; order: readonly string[] }>();
  readonly #sizes = new Map<string, { version: number; sizes: Map<string, number> }>();
  #rejectListeners = new Set<(r: RejectNotice) => void>();
  #focusListeners = new Set<(id: string) => void>();
  #replyListeners = new Set<(msg: ReplyMsg) => void>();
  /** sync rid -> the request rids pending when that sync was sent */
  #syncWaits = new Map<string, Set<string>>();
  #staleAfterMs: number;
  #staleTimer: ReturnType<typeof setTimeout> | null = null;
  #syncRetryMs: number;
  #syncTimer: ReturnType<typeof setTimeout> | null = null;
  /** the rid of the sync in flight (its answer re-arms the retry timer) */
  #syncRid: string | null = null;
  /** events that arrived ahead of the next one, by seq (host threads may reorder them) */
  #ahead = new Map<number, { rid: string | null; event: Event }>();
  #wantSeq = 0;
  #gapTimer: ReturnType<typeof setTimeout> | null = null;
  /** syncs asked again without an answer since the last complete one (the wait doubles) */
  #syncRetries = 0;
  /** views showing this store: without any, no timer runs and nothing is asked */
  #views = 0;
  #link: Link = "live";
  #disposed = false;

  /** the page's user; the mirror keeps the Markdown source of their comments only (KeepBody) */
  #user: string;
  /** the user changed: the next sync asks for the whole thread again (their sources) */
  #refetch = false;
  /** a long thread: the mirror drops the sources the user cannot edit (KeepBody) */
  #slim = false;
  readonly #keep: KeepBody = (c) => !this.#slim || c.author === this.#user;

  constructor(opts: StoreOptions) {
    const now = opts.now ?? (() => new Date());
    this.ranker = new Ranker(() => now().getTime());
    this.#send = opts.send;
    this.client = opts.client ?? randomClientId();
    this.#user = opts.user ?? "";
    this.#now = now;
    this.#staleAfterMs = opts.staleAfterMs ?? 15_000;
    this.#syncRetryMs = opts.syncRetryMs ?? SYNC_RETRY_MS;
  }

  get user(): string {
    return this.#user;
  }

  /** A new user: the mirror lacks the sources of their comments, so it is fetched again. */
  set user(u: string) {
    if (u === this.#user) return;
    this.#user = u;
    if (
      this.#slim &&
      this.complete &&
      this.post !== null &&
      [...this.mirror.comments.values()].some((c) => c.author === u && c.body === "" && c.status !== "deleted")
    ) {
      this.#refetch = true;
      this.requestSync(true);
    }
  }

  /** Stop timers (the model went away). */
  dispose(): void {
    this.#disposed = true;
    this.#stopTimers();
    this.#listeners.clear();
    this.#rejectListeners.clear();
    this.#focusListeners.clear();
    this.#replyListeners.clear();
  }

  #stopTimers(): void {
    if (this.#staleTimer !== null) clearTimeout(this.#staleTimer);
    this.#staleTimer = null;
    if (this.#gapTimer !== null) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
    if (this.#syncTimer !== null) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }

  /** True while timers may run and requests go out: some view shows the store and the kernel is reachable. */
  get #active(): boolean {
    return !this.#disposed && this.#views > 0 && this.#link === "live";
  }

  /**
   * A view starts showing this store (it returns the detach). The last view gone, every timer
   * stops and nothing is asked again until a view comes back (a removed view keeps no timer).
   */
  attach(): () => void {
    this.#views++;
    if (this.#views === 1) this.#resume();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#views--;
      if (this.#views === 0) this.#stopTimers();
    };
  }

  /** Timers again, and a sync if one was lost meanwhile or requests wait for an answer. */
  #resume(): void {
    if (!this.#active) return;
    if (this.#syncing) this.#armSync();
    if (this.#ops.size > 0) this.#watchPending();
  }

  /** Whether the kernel can be reached (connection.ts). */
  get link(): Link {
    return this.#link;
  }

  /**
   * The kernel went away or came back. Gone for good: every pending request is settled as
   * refused (views put the text back); back: a sync catches up with whatever was missed.
   */
  setLink(link: Link): void {
    if (link === this.#link) return;
    const was = this.#link;
    this.#link = link;
    if (link === "gone") {
      this.#stopTimers();
      this.#batched(() => {
        for (const rid of [...this.#ops.sent.keys()]) this.#rejectPending(rid, GONE_REASON, null);
      });
    } else if (link === "live" && was !== "gone") {
      this.requestSync(true);
      if (this.#ops.size > 0) this.#watchPending();
    } else if (link !== "live") this.#stopTimers();
  }

  /** Why nothing can be sent now, or null. */
  get offline(): string | null {
    return this.#link === "live" ? null : this.#link === "gone" ? GONE_REASON : OFFLINE_REASON;
  }

  /** Send; false when the host refused (a closed comm: the connection says "gone"). */
  #post(msg: OutgoingMsg): boolean {
    try {
      return this.#send(msg) !== false;
    } catch {
      return false;
    }
  }

  /** A sync whose answer does not come is asked again (an interrupted kernel, a lost message). */
  #armSync(): void {
    if (this.#syncTimer !== null) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
    if (this.#syncRetryMs <= 0 || !this.#syncing || !this.#active) return;
    // a long thread takes the kernel longer to start answering; each retry waits twice as long
    const size = this.#partial?.total ?? this.mirror.comments.size;
    const wait = Math.min(
      SYNC_RETRY_MAX_MS,
      Math.max(this.#syncRetryMs, size * SYNC_RETRY_PER_COMMENT_MS) * 2 ** this.#syncRetries,
    );
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null;
      if (!this.#syncing || !this.#active) return;
      this.#syncRetries++;
      this.requestSync(true);
    }, wait);
  }

  /**
   * An answer (event or reject) can be lost, e.g. while the kernel restarts its comm. A request
   * unanswered for `staleAfterMs` triggers a sync, whose answer settles it (rule 4).
   */
  #watchPending(): void {
    if (this.#staleAfterMs <= 0 || this.#staleTimer !== null || !this.#active) return;
    this.#staleTimer = setTimeout(() => {
      this.#staleTimer = null;
      if (this.#ops.size === 0 || !this.#active) return;
      const cutoff = this.#now().getTime() - this.#staleAfterMs;
      let stale = false;
      for (const p of this.#ops.sent.values()) if (Date.parse(p.at) <= cutoff) stale = true;
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
    this.#version++;
    for (const fn of [...this.#listeners]) fn(c);
  }

  /**
   * A top-level order a view of this store computed for `key` (its layout, sort, role, voting),
   * if nothing has changed since: a second view of a long thread draws at once (issue #26).
   */
  knownOrder(key: string): string[] | null {
    const hit = this.#orders.get(key);
    return hit && hit.version === this.#version ? hit.order.slice() : null;
  }

  /**
   * How many comments each top-level thread shows in `layout` (render/window.ts `threadSize`),
   * filled by the views as they need them and shared while the store stays as it is.
   */
  threadSizes(layout: string): Map<string, number> {
    const hit = this.#sizes.get(layout);
    if (hit && hit.version === this.#version) return hit.sizes;
    const sizes = new Map<string, number>();
    this.#sizes.set(layout, { version: this.#version, sizes });
    return sizes;
  }

  /** Keep an order a view computed (see `knownOrder`). */
  keepOrder(key: string, order: readonly string[]): void {
    this.#orders.set(key, { version: this.#version, order: order.slice() });
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
    this.#slim = (s.comments?.length ?? 0) > SLIM_ABOVE || (!this.complete && firstScreenCounts(s) !== null);
    this.mirror = mirrorFrom(s.comments ?? [], this.#keep);
    this.#partial = this.complete ? null : firstScreenCounts(s);
    this.#visible = 0;
    for (const c of this.mirror.comments.values()) if (c.status === "visible") this.#visible++;
    this.#parts = null;
    this.#timeCache.clear();
    this.#ops.dropSettledAdds();
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
      // the kernel refreshed what a saved notebook carries: a live view checks it is current,
      // unless it holds that seq already (the events come before the update that follows them:
      // asking again in a burst would make the kernel resend the thread again and again)
      if (!this.complete) this.requestSync();
      else if (s.seq > this.seq) this.#expect(s.seq);
      return;
    }
    this.load(s);
    this.requestSync(true);
  }

  /** Ask the kernel for what this view missed. Coalesced while a sync is in flight. */
  requestSync(force = false): void {
    if (this.#syncing && !force) return;
    this.#syncing = true;
    if (this.#disposed || this.#link !== "live") return; // asked again when the kernel is back
    this.#counter++;
    const rid = `${this.client}-${this.#counter}`;
    this.#syncWaits.set(rid, new Set(this.#ops.sent.keys()));
    this.#syncRid = rid;
    this.#armSync();
    this.#post({
      kind: "sync",
      client: this.client,
      // An incomplete snapshot has no comments: name no epoch so the kernel sends snapshot parts.
      epoch: this.complete && !this.#refetch ? this.epoch : "",
      seq: this.seq,
      rid,
    });
  }

  /** A part of a sync's answer arrived: the kernel is working on it, wait again. */
  #syncProgress(rid: string | null | undefined): void {
    if (rid && rid === this.#syncRid) this.#armSync();
  }

  /**
   * The complete answer to a sync arrived. The kernel handles one client's messages in order,
   * so every request pending when that sync was sent has been decided: confirmed ones are gone
   * from `pending` already (acked by an event) or listed in `confirmed`; the rest were refused
   * and their reject was lost.
   */
  #settleSync(rid: string | null | undefined, confirmed: readonly string[]): void {
    for (const r of confirmed) {
      const p = this.#ops.take(r);
      if (p) this.#touch(this.#ops.idsOf(p.op));
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
      if (this.#ops.sent.has(r)) this.#rejectPending(r, LOST_REASON, null);
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
      case "events":
        return this.#batched(() => this.#onEvents(msg));
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
    this.#post({ ...msg, rid });
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
    this.#applyLive(msg.seq, msg.rid, msg.event);
  }

  /** A batch: each event by the seq rules, in order (one redraw for all of them). */
  #onEvents(msg: EventsMsg): void {
    if (msg.epoch !== this.epoch || !this.complete) {
      if (this.complete) this.requestSync();
      return;
    }
    for (const e of msg.events) this.#applyLive(e.seq, e.rid ?? null, e.event);
  }

  /**
   * A broadcast event. The kernel may send from several threads (a cell, a page's request, a
   * timer), and the host does not keep their order: an event ahead of the next one waits here
   * for a moment for the ones before it; only a gap that stays asks for a sync.
   */
  #applyLive(seq: number, rid: string | null, event: Event): void {
    if (seq > this.seq + 1) {
      if (this.#ahead.size < AHEAD_MAX) this.#ahead.set(seq, { rid, event });
      this.#expect(seq);
      return;
    }
    this.#applySeq(seq, rid, event);
    for (let next = this.#ahead.get(this.seq + 1); next; next = this.#ahead.get(this.seq + 1)) {
      this.#ahead.delete(this.seq + 1);
      this.#applySeq(this.seq + 1, next.rid, next.event);
    }
    for (const k of [...this.#ahead.keys()]) if (k <= this.seq) this.#ahead.delete(k);
  }

  /** The kernel is at `seq` at least: if this view is not there within GAP_WAIT_MS, it syncs. */
  #expect(seq: number): void {
    this.#wantSeq = Math.max(this.#wantSeq, seq);
    if (this.#gapTimer !== null) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = null;
      if (this.seq < this.#wantSeq && !this.#disposed) {
        this.#ahead.clear();
        this.requestSync();
      }
    }, GAP_WAIT_MS);
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
      const p = this.#ops.take(rid);
      if (p) this.#touch(this.#ops.idsOf(p.op));
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
    this.#syncProgress(msg.rid);
    if (msg.done) {
      this.#syncing = false;
      this.#syncRetries = 0;
      this.#armSync();
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
    this.#syncProgress(msg.rid);
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
    this.#syncRetries = 0;
    this.#armSync();
    this.#ops.dropSettledAdds();
    this.#markReset();
    this.#settleSync(buf.rid, buf.confirmed);
  }

  #onRejectMsg(msg: RejectMsg): void {
    if (msg.rid === null || msg.rid === undefined) return;
    this.#batched(() => this.#rejectPending(msg.rid as string, msg.reason, msg.field ?? null));
  }

  #rejectPending(rid: string, reason: string, field: string | null): void {
    const p = this.#ops.sent.get(rid);
    if (!p) return; // someone else's request, or already decided
    const ids = this.#ops.idsOf(p.op);
    this.#ops.take(rid);
    // Reject listeners first (a view restores its draft), then the rollback redraw.
    const notice: RejectNotice = { rid, reason, field, op: p.op };
    for (const fn of [...this.#rejectListeners]) fn(notice);
    this.#touch(ids);
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
    this.#ops.add({ rid, op, at: this.#now().toISOString() });
    const reason = this.offline;
    if (reason === null && this.#post({ kind: "op", rid, op })) {
      this.#touch(this.#ops.idsOf(op));
      this.#watchPending();
      return rid;
    }
    // Not sent (no kernel now): refused like a reject, after the caller has noted its rid.
    this.#touch(this.#ops.idsOf(op));
    queueMicrotask(() => this.#batched(() => this.#rejectPending(rid, reason ?? GONE_REASON, null)));
    return rid;
  }

  // ---- what the views ask: the thread as this page shows it ----------------------------------

  /** Own operations sent and not yet acknowledged, by request id (read-only: the store settles them). */
  get pending(): ReadonlyMap<string, Pending> {
    return this.#ops.sent;
  }

  /** The comment as this view should show it: confirmed, with own pending operations folded in. */
  display(id: string): Comment | undefined {
    return this.#ops.display(id);
  }

  /** True while an own operation on this comment is unconfirmed. */
  isPending(id: string): boolean {
    return this.#ops.isPending(id);
  }

  /** An own new comment not in the confirmed mirror yet. */
  isUnconfirmed(id: string): boolean {
    return this.#ops.isUnconfirmed(id);
  }

  parentOf(id: string): string | null {
    return this.#ops.parentOf(id);
  }

  /** `parentId` and its ancestors, nearest first, pending own replies included. */
  ancestors(parentId: string | null): string[] {
    return this.#ops.ancestors(parentId);
  }

  /** Child ids of a comment (or ROOT): confirmed ones, then pending adds. */
  childIds(parent: string): string[] {
    return this.#ops.childIds(parent);
  }

  /** 1 for a reply to the post, 2 for a reply to that, … (data depth is unlimited). */
  depth(id: string): number {
    return this.ancestors(this.parentOf(id)).length + 1;
  }

  /** The lock covering a comment: its own, its nearest locked ancestor's, or the thread's. */
  lockOf(id: string | null): Lock | null {
    for (const a of id === null ? [] : [id, ...this.ancestors(this.parentOf(id))]) {
      const l = this.display(a)?.locked;
      if (l) return l;
    }
    return this.post?.locked ?? null;
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
    if (!this.complete && this.#partial) return this.#partial.total;
    return this.#visible + this.#ops.visibleDelta();
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
