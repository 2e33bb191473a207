/**
 * Message and data types shared with the kernel. Mirrors docs/protocol.md exactly;
 * change both together.
 */

export type Sort = "oldest" | "newest" | "top";
export const SORTS: readonly Sort[] = ["oldest", "newest", "top"];

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
}

export type CommentStatus = "visible" | "deleted";

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
export type Op = AddOp | EditOp | DeleteOp | LikeOp | UnlikeOp;

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
export type Event = AddEvent | EditEvent | DeleteEvent | LikeEvent | UnlikeEvent;

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

export interface Config {
  max_body: number;
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
export type OutgoingMsg = OpMsg | SyncMsg;

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
export type IncomingMsg = EventMsg | RejectMsg | CatchupMsg | SnapshotMsg | FocusMsg;

/** The reason shown for a request the answer to a sync shows was refused (its reject was lost). */
export const LOST_REASON = "No answer from the kernel; please try again.";

/** Ids match this pattern on both sides. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isIncomingMsg(x: unknown): x is IncomingMsg {
  if (typeof x !== "object" || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  if (k === "focus") return typeof (x as { id?: unknown }).id === "string";
  return k === "event" || k === "reject" || k === "catchup" || k === "snapshot";
}
