/**
 * The thread a saved notebook carries, kept current at a cost per change independent of its size:
 * `_snapshot` (post and metadata) plus numbered slots `_t0 … _t{_tn-1}`, one per comment (or the
 * post), each rewritten in place when it changes (src/threadwidget/widget/saved_state.py). Older
 * notebooks carry comments inside `_snapshot` too; the same fold reads both. A page opened
 * without a kernel shows the fold; a live page asks the kernel for the thread instead.
 */
import type { Post, Snapshot, WireComment } from "./protocol";

interface Getter {
  get(name: string): unknown;
}

interface Slot {
  comment?: WireComment;
  post?: Post;
}

/** Whether a snapshot is a saved one (never a live kernel's state). */
export function isSaved(snap: { epoch: string }): boolean {
  return snap.epoch.endsWith(":saved");
}

/** `_snapshot` with the saved slots folded in (null when there is no snapshot). */
export function savedSnapshot(model: Getter): Snapshot | null {
  const snap = model.get("_snapshot") as Snapshot | null | undefined;
  if (!snap || typeof snap.epoch !== "string") return null;
  const count = model.get("_tn");
  if (typeof count !== "number" || count <= 0 || !isSaved(snap)) return snap;
  let post = snap.post;
  const comments = [...(snap.comments ?? [])];
  const index = new Map(comments.map((c, i) => [c.id, i]));
  for (let n = 0; n < count; n++) {
    const slot = model.get(`_t${n}`) as Slot | null | undefined;
    if (!slot || typeof slot !== "object") continue;
    if (slot.post) post = slot.post;
    const c = slot.comment;
    if (!c || typeof c.id !== "string") continue;
    const at = index.get(c.id);
    if (at === undefined) {
      index.set(c.id, comments.length);
      comments.push(c);
    } else {
      comments[at] = c;
    }
  }
  return { ...snap, post, comments };
}
