/**
 * Message and data types shared with the kernel. Mirrors docs/protocol.md exactly;
 * change both together.
 */

export type Sort = "oldest" | "newest" | "top" | "best" | "controversial" | "hot";
export const SORTS: readonly Sort[] = ["oldest", "newest", "top", "best", "controversial", "hot"];

/** Any JSON value (the values of `extra` mappings). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Image {
  url: string;
  caption?: string | null;
  credit?: string | null;
}

export interface Post {
  id: string;
  title: string;
  author: string;
  body: string;
  created_at: string;
  url: string | null;
  image: Image | null;
  /** the body as HTML, rendered by the kernel (sanitised again before display) */
  html?: string;
  /** the whole thread takes no new comments except from moderators (absent: unlocked) */
  locked?: Lock | null;
  extra?: Record<string, Json>;
}

/** visible; deleted by its author; hidden / spam / removed by a moderator */
export type CommentStatus = "visible" | "deleted" | "hidden" | "spam" | "removed";
export type ModerationAction = "hide" | "unhide" | "spam" | "not_spam" | "remove" | "restore";

export interface Lock {
  by: string;
  at: string;
  reason: string;
}
export interface Flag {
  user: string;
  at: string;
  reason: string;
}
/** The latest moderator decision on a comment (who, when, why). */
export interface Moderation {
  action: ModerationAction;
  by: string;
  at: string;
  reason: string;
}

export interface Comment {
  id: string;
  parent_id: string | null;
  author: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  status: CommentStatus;
  likes: number;
  liked_by: string[];
  /** the body as HTML, rendered by the kernel; absent while an own comment is being sent */
  html?: string;
  // The kernel omits these when empty; `normComment` fills them in on arrival.
  flags: Flag[];
  moderation: Moderation | null;
  pinned: boolean;
  locked: Lock | null;
  /** user -> "up" | "down" | reaction key (one per user) */
  votes: Record<string, string>;
  /** user -> label (one per user) */
  labels: Record<string, string>;
  extra: Record<string, Json>;
}

/** The fields the kernel leaves out while empty (`protocol.py` `_OMITTED_WHEN_EMPTY`). */
type Omitted = "flags" | "moderation" | "pinned" | "locked" | "votes" | "labels" | "extra";
/** A comment as it arrives: the omitted fields may be missing. */
export type WireComment = Omit<Comment, Omitted> & Partial<Pick<Comment, Omitted>>;

/** A comment as it may arrive (optional fields omitted when empty) made complete. */
export function normComment(c: WireComment): Comment {
  if (c.flags && c.votes && c.labels && c.extra && c.pinned !== undefined && c.locked !== undefined && c.moderation !== undefined) return c as Comment;
  return {
    ...c,
    flags: c.flags ?? [],
    moderation: c.moderation ?? null,
    pinned: c.pinned ?? false,
    locked: c.locked ?? null,
    votes: c.votes ?? {},
    labels: c.labels ?? {},
    extra: c.extra ?? {},
  };
}

// ---- operations (browser -> kernel) -------------------------------------------------------

export interface AddOp {
  type: "add";
  id: string;
  parent_id: string | null;
  body: string;
}
export interface EditOp {
  type: "edit";
  id: string;
  body: string;
}
export interface DeleteOp {
  type: "delete";
  id: string;
}
export interface LikeOp {
  type: "like";
  id: string;
}
export interface UnlikeOp {
  type: "unlike";
  id: string;
}
export interface FlagOp {
  type: "flag";
  id: string;
  reason: string;
}
export interface UnflagOp {
  type: "unflag";
  id: string;
}
export interface ModerateOp {
  type: "moderate";
  id: string;
  action: ModerationAction;
  reason: string;
}
export interface PinOp {
  type: "pin";
  id: string;
  pinned: boolean;
  reason: string;
}
/** `id` null locks the whole thread */
export interface LockOp {
  type: "lock";
  id: string | null;
  locked: boolean;
  reason: string;
}
export interface VoteOp {
  type: "vote";
  id: string;
  choice: string | null;
}
export interface LabelOp {
  type: "label";
  id: string;
  label: string | null;
}
export type Op =
  | AddOp
  | EditOp
  | DeleteOp
  | LikeOp
  | UnlikeOp
  | FlagOp
  | UnflagOp
  | ModerateOp
  | PinOp
  | LockOp
  | VoteOp
  | LabelOp;

// ---- events (kernel -> browser) -----------------------------------------------------------

interface EventBase {
  actor: string;
  at: string;
}
export interface AddEvent extends EventBase {
  type: "add";
  comment: Comment;
}
export interface EditEvent extends EventBase {
  type: "edit";
  id: string;
  body: string;
  edited_at: string;
  /** the new body as HTML (absent in a predicted event: shown as text until the kernel's) */
  html?: string;
}
export interface DeleteEvent extends EventBase {
  type: "delete";
  id: string;
}
export interface LikeEvent extends EventBase {
  type: "like";
  id: string;
  user: string;
  likes: number;
}
export interface UnlikeEvent extends EventBase {
  type: "unlike";
  id: string;
  user: string;
  likes: number;
}
export interface FlagEvent extends EventBase {
  type: "flag";
  id: string;
  user: string;
  reason: string;
}
export interface UnflagEvent extends EventBase {
  type: "unflag";
  id: string;
  user: string;
}
export interface ModerateEvent extends EventBase {
  type: "moderate";
  id: string;
  action: ModerationAction;
  reason: string;
  status: CommentStatus;
}
export interface PinEvent extends EventBase {
  type: "pin";
  id: string;
  pinned: boolean;
  reason: string;
}
export interface LockEvent extends EventBase {
  type: "lock";
  id: string | null;
  locked: boolean;
  reason: string;
}
export interface VoteEvent extends EventBase {
  type: "vote";
  id: string;
  user: string;
  choice: string | null;
}
export interface LabelEvent extends EventBase {
  type: "label";
  id: string;
  user: string;
  label: string | null;
}
/** Python only: merge into a comment's (or, for id null, the post's) extra; null removes a key */
export interface SetExtraEvent extends EventBase {
  type: "set_extra";
  id: string | null;
  extra: Record<string, Json>;
}
export type Event =
  | AddEvent
  | EditEvent
  | DeleteEvent
  | LikeEvent
  | UnlikeEvent
  | FlagEvent
  | UnflagEvent
  | ModerateEvent
  | PinEvent
  | LockEvent
  | VoteEvent
  | LabelEvent
  | SetExtraEvent;

// ---- the _snapshot trait and _config -------------------------------------------------------

export interface Snapshot {
  epoch: string;
  seq: number;
  complete: boolean;
  post: Post;
  comments?: Comment[];
  /** Set by ThreadWidget.embed_state(): the page is a saved, read-only snapshot. */
  saved_at?: string;
}

export type Role = "reader" | "participant" | "moderator";

/** One choice of the voting model ("up"/"down", or a reaction). */
export interface VoteChoice {
  key: string;
  /** what the button shows (an emoji, or ▲ / ▼) */
  icon: string;
  label: string;
}
export interface Voting {
  /** likes (like/unlike ops), updown (score = ups - downs) or reactions */
  kind: "likes" | "updown" | "reactions";
  choices: VoteChoice[];
}

export type FieldKind = "text" | "badge" | "bar" | "number";
/** `w.fields`: which `extra` keys the cards show, and how. */
export interface FieldSpec {
  key: string;
  kind: FieldKind;
  label: string;
}

/** `w.add_action(...)`: a button on comments (ids: every comment when null), the post or the thread. */
export interface ActionSpec {
  name: string;
  label: string;
  icon: string | null;
  target: "comment" | "post" | "thread";
  /** for target "comment": the ids it applies to (its `when` predicate), or null for all */
  ids: string[] | null;
}

/** Computed by the kernel from the public traits (role, roles, voting, label_set, fields, ...). */
export interface Config {
  max_body: number;
  /** the role of this widget's user (w.roles[user], else w.role) */
  role?: Role;
  voting?: Voting;
  /** the labelling exercise's label set (empty: off) */
  label_set?: string[];
  fields?: FieldSpec[];
  actions?: ActionSpec[];
  /** author -> badge text (for bots, teachers, ...) */
  badges?: Record<string, string>;
}
export const DEFAULT_MAX_BODY = 20000;

// ---- custom messages ------------------------------------------------------------------------

export interface OpMsg {
  kind: "op";
  rid: string;
  op: Op;
}
export interface SyncMsg {
  kind: "sync";
  client: string;
  epoch: string;
  seq: number;
  /** optional; echoed by the answer, which settles the requests pending when this was sent */
  rid?: string;
}
/** A click on a custom action (`w.add_action`); `id` null for post and thread actions. */
export interface ActionMsg {
  kind: "action";
  rid: string;
  name: string;
  id: string | null;
}
/** Ask for the replay timeline (every moment the thread changed). */
export interface TimelineReqMsg {
  kind: "timeline";
  rid: string;
}
/** Ask for the thread as it stood at moment `index` of the timeline. */
export interface ReplayReqMsg {
  kind: "replay";
  rid: string;
  index: number;
}
export type RequestMsg = ActionMsg | TimelineReqMsg | ReplayReqMsg;
export type OutgoingMsg = OpMsg | SyncMsg | RequestMsg;

export interface EventMsg {
  kind: "event";
  epoch: string;
  seq: number;
  rid: string | null;
  event: Event;
}
export interface RejectMsg {
  kind: "reject";
  /** null when the kernel could not read the request's rid */
  rid: string | null;
  reason: string;
  field?: string | null;
}
export interface CatchupEntry {
  seq: number;
  rid: string | null;
  event: Event;
}
export interface CatchupMsg {
  kind: "catchup";
  to: string;
  /** the rid of the sync this answers */
  rid?: string | null;
  epoch: string;
  events: CatchupEntry[];
  done: boolean;
}
export interface SnapshotMsg {
  kind: "snapshot";
  to: string;
  /** the rid of the sync this answers (absent when not an answer to a sync) */
  rid?: string | null;
  epoch: string;
  seq: number;
  part: number;
  parts: number;
  /** part 0 only */
  post?: Post;
  /** part 0 only: this client's recent accepted request ids */
  confirmed?: string[];
  comments: Comment[];
}
/** `w.focus(id)`: every view scrolls to the comment and highlights it. */
export interface FocusMsg {
  kind: "focus";
  id: string;
}
/** The answer to an `action` request: ok (with an optional message) or refused with a reason. */
export interface ActionResultMsg {
  kind: "action_result";
  rid: string;
  ok: boolean;
  reason: string | null;
  message: string | null;
}
/** The answer to a `timeline` request: ISO times, oldest first. */
export interface TimelineMsg {
  kind: "timeline";
  rid: string;
  moments: string[];
}
/** One part of the answer to a `replay` request (parts 0..parts-1; `post` in part 0). */
export interface ReplayStateMsg {
  kind: "replay_state";
  rid: string;
  index: number;
  at: string;
  count: number;
  part: number;
  parts: number;
  post?: Post;
  comments: Comment[];
}
/** Answers to `RequestMsg`s: only the view that sent the rid acts on them. */
export type ReplyMsg = ActionResultMsg | TimelineMsg | ReplayStateMsg;
export type IncomingMsg = EventMsg | RejectMsg | CatchupMsg | SnapshotMsg | FocusMsg | ReplyMsg;

/** The reason shown for a request the answer to a sync shows was refused (its reject was lost). */
export const LOST_REASON = "No answer from the kernel; please try again.";

/** Ids match this pattern on both sides. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isIncomingMsg(x: unknown): x is IncomingMsg {
  if (typeof x !== "object" || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  if (k === "focus") return typeof (x as { id?: unknown }).id === "string";
  if (k === "action_result" || k === "timeline" || k === "replay_state") return typeof (x as { rid?: unknown }).rid === "string";
  return k === "event" || k === "reject" || k === "catchup" || k === "snapshot";
}
