/**
 * Message and data types shared with the kernel. The types come from the pydantic models
 * (js/src/generated/protocol.ts, made by scripts/gen_protocol.py); this module names them for the
 * frontend and keeps the runtime helpers. docs/protocol.md describes the same protocol.
 */
import type * as G from "./generated/protocol";
import * as C from "./generated/constants";

export type {
  Json,
  Sort,
  Role,
  CommentStatus,
  ModerationAction,
  Image,
  Lock,
  Flag,
  Moderation,
} from "./generated/protocol";
export type { VoteChoice, Voting, FieldSpec, ActionSpec } from "./generated/protocol";
export type { DeleteEvent, LikeEvent, UnlikeEvent, FlagEvent, UnflagEvent, ModerateEvent } from "./generated/protocol";
export type { PinEvent, LockEvent, VoteEvent, LabelEvent, SetExtraEvent } from "./generated/protocol";
export type { WirePost, ServerMessage, ClientMessage, FirstScreen, SavedSlot } from "./generated/protocol";

export const SORTS: readonly G.Sort[] = C.SORTS;

/** The post; `html`, `locked` and `extra` may be missing from an old saved page. */
export type Post = Omit<G.WirePost, Later> & Partial<Pick<G.WirePost, Later>>;
type Later = "html" | "locked" | "extra";

/** The fields the kernel leaves out while empty (page/messages.py `OMITTED_WHEN_EMPTY`). */
type Omitted = "flags" | "moderation" | "pinned" | "locked" | "votes" | "labels" | "extra";
/** A comment as it arrives (omitted fields may be missing); `html` is absent while an own comment is being sent. */
export type WireComment = Omit<G.WireComment, "html"> & { html?: string };
/** A comment with every field present (`normComment`). */
export type Comment = Omit<WireComment, Omitted> & Required<Pick<G.WireComment, Omitted>>;

/** Shared empty values of the comments (frozen: comments are replaced, never changed in place). */
export const NONE = Object.freeze([]) as never[];
const EMPTY = Object.freeze({}) as Record<string, never>;

/** A comment as it may arrive (optional fields omitted when empty) made complete. */
export function normComment(c: WireComment): Comment {
  if (
    c.flags &&
    c.votes &&
    c.labels &&
    c.extra &&
    c.pinned !== undefined &&
    c.locked !== undefined &&
    c.moderation !== undefined
  )
    return c as Comment;
  // the empty defaults are shared (comments are never changed in place; see state.ts foldEvent)
  return {
    ...c,
    flags: c.flags ?? NONE,
    moderation: c.moderation ?? null,
    pinned: c.pinned ?? false,
    locked: c.locked ?? null,
    votes: c.votes ?? EMPTY,
    labels: c.labels ?? EMPTY,
    extra: c.extra ?? EMPTY,
  };
}

// ---- operations (browser -> kernel): the page always names a new comment's id --------------

export type AddOp = Omit<G.AddComment, "extra" | "id" | "parent_id"> & { id: string; parent_id: string | null };
export type EditOp = G.EditComment;
export type DeleteOp = G.DeleteComment;
export type LikeOp = G.Like;
export type UnlikeOp = G.Unlike;
export type FlagOp = G.FlagComment;
export type UnflagOp = G.Unflag;
export type ModerateOp = G.Moderate;
export type PinOp = G.Pin;
/** `id` null locks the whole thread */
export type LockOp = G.LockThread;
export type VoteOp = G.Vote;
export type LabelOp = G.LabelComment;
/** What a page may ask for (`set_extra` is Python's only). */
export type Op =
  AddOp | EditOp | DeleteOp | LikeOp | UnlikeOp | FlagOp | UnflagOp | ModerateOp | PinOp | LockOp | VoteOp | LabelOp;

// ---- events (kernel -> browser), also predicted by the page for its own pending operations ----

/** A comment was added (its comment as it arrives, or as the page predicts it). */
export type AddEvent = Omit<G.WireAddEvent, "comment"> & { comment: WireComment };
/** The new body travels with its HTML (absent in a predicted event: shown as text until the kernel's). */
export type EditEvent = Omit<G.WireEditEvent, "html"> & { html?: string };
export type Event = AddEvent | EditEvent | Exclude<G.WireEvent, G.WireAddEvent | G.WireEditEvent>;

// ---- the _snapshot and _config traits --------------------------------------------------------

export type Snapshot = Omit<G.SnapshotValue, "post" | "comments"> & { post: Post; comments?: WireComment[] };
export type FieldKind = G.FieldSpec["kind"];
/** Computed by the kernel (`wire.ConfigValue`); a page reads every field but `max_body` defensively. */
export type Config = Pick<G.ConfigValue, "max_body"> & Partial<G.ConfigValue>;
export const DEFAULT_MAX_BODY = C.MAX_BODY_CHARS;

// ---- custom messages ------------------------------------------------------------------------

export type OpMsg = Omit<G.OpRequest, "op"> & { op: Op };
export type SyncMsg = G.SyncRequest;
/** A click on a custom action (`w.add_action`); `id` null for post and thread actions. */
export type ActionMsg = G.ActionRequest;
export type TimelineReqMsg = G.TimelineRequest;
export type ReplayReqMsg = G.ReplayRequest;
export type RequestMsg = ActionMsg | TimelineReqMsg | ReplayReqMsg;
export type OutgoingMsg = OpMsg | SyncMsg | RequestMsg;

// Incoming messages carry the page's `Event` / `WireComment` / `Post`, which accept the wire's; the
// page also reads a message without the `rid` or `field` the kernel always sends (tolerant reader).
type Loose<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
export type EventMsg = Omit<G.EventMessage, "event"> & { event: Event };
export type RejectMsg = Loose<G.RejectMessage, "field">;
export type CatchupEntry = Omit<G.CatchupEntry, "event"> & { event: Event };
export type CatchupMsg = Omit<Loose<G.CatchupMessage, "rid">, "events"> & { events: CatchupEntry[] };
export type SnapshotMsg = Omit<Loose<G.SnapshotMessage, "rid">, "post" | "comments"> & {
  post?: Post | null;
  comments: WireComment[];
};
/** `w.focus(id)`: every view scrolls to the comment and highlights it. */
export type FocusMsg = G.FocusMessage;
export type ActionResultMsg = G.ActionResultMessage;
/** The answer to a `timeline` request: ISO times, oldest first. */
export type TimelineMsg = G.TimelineMessage;
/** One part of the answer to a `replay` request (parts 0..parts-1; `post` in part 0). */
// TODO(render): comments are WireComment[] on the wire; js/src/render/timeline.ts keeps the parts
// as Comment[] until ThreadStore.load normalises them, so the type says Comment[] for now.
export type ReplayStateMsg = Omit<G.ReplayStateMessage, "post" | "comments"> & {
  post?: Post | null;
  comments: Comment[];
};
/** Answers to `RequestMsg`s: only the view that sent the rid acts on them. */
export type ReplyMsg = ActionResultMsg | TimelineMsg | ReplayStateMsg;
/** Applied events in seq order, sent together (a burst from Python: src/threadwidget/outbox.py). */
export type EventsMsg = G.EventsMessage;
export type IncomingMsg = EventMsg | EventsMsg | RejectMsg | CatchupMsg | SnapshotMsg | FocusMsg | ReplyMsg;

/** The reason shown for a request the answer to a sync shows was refused (its reject was lost). */
export const LOST_REASON = "No answer from the kernel; please try again.";
/** The reason for a request made while the kernel cannot be reached (connection.ts). */
export const OFFLINE_REASON = "Not sent: the kernel is not connected. Your text is kept; try again once it is back.";
/** The reason for requests left when the kernel restarted or stopped (this widget's comm is gone). */
export const GONE_REASON = "Not sent: the kernel restarted or stopped. Your text is kept; run the widget's cell again.";

/** Ids match this pattern on both sides. */
export const ID_PATTERN = C.ID_PATTERN;

export function isIncomingMsg(x: unknown): x is IncomingMsg {
  if (typeof x !== "object" || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  if (k === "focus") return typeof (x as { id?: unknown }).id === "string";
  if (k === "action_result" || k === "timeline" || k === "replay_state")
    return typeof (x as { rid?: unknown }).rid === "string";
  return k === "event" || k === "events" || k === "reject" || k === "catchup" || k === "snapshot";
}
