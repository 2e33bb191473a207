/** A stand-in for the anywidget model, so widget.ts can be tested end to end without Jupyter. */
import type { Model } from "../src/generated/model";
import type { ThreadModel } from "../src/model";
import type { Comment, IncomingMsg, OutgoingMsg, Post, Snapshot } from "../src/protocol";
import { normComment } from "../src/protocol";

type Handler = (...args: unknown[]) => void;

/**
 * What the kernel's markdown_html() gives for the little Markdown the tests use (paragraphs,
 * **strong**, *em*, `code`), so that fake snapshots and events carry `html` like real ones.
 */
export function kernelHtml(src: string): string {
  const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return src
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map(
      (p) =>
        `<p>${esc(p.trim())
          .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
          .replace(/\*(.+?)\*/g, "<em>$1</em>")
          .replace(/`(.+?)`/g, "<code>$1</code>")
          .replace(/\n/g, "<br />\n")}</p>`,
    )
    .join("\n");
}

type Bodied = { body?: unknown; html?: unknown };
function addHtml<T>(x: T): T {
  const b = x as Bodied;
  if (b && typeof b.body === "string" && b.html === undefined) return { ...x, html: kernelHtml(b.body) };
  return x;
}

/** The kernel's wire form: every comment, post and edit event with its body's html. */
export function withHtml(msg: unknown): unknown {
  if (typeof msg !== "object" || msg === null) return msg;
  const m = { ...(msg as Record<string, unknown>) };
  if (m.post) m.post = addHtml(m.post);
  if (Array.isArray(m.comments)) m.comments = m.comments.map(addHtml);
  if (m.comment) m.comment = addHtml(m.comment);
  if (m.type === "edit") return addHtml(m);
  if (m.event) m.event = withHtml(m.event);
  if (Array.isArray(m.events)) m.events = m.events.map((e: { event: unknown }) => ({ ...e, event: withHtml(e.event) }));
  return m;
}

export class FakeModel implements ThreadModel {
  attrs: Record<string, unknown>;
  handlers = new Map<string, Set<Handler>>();
  /** messages the browser sent to the kernel */
  sent: OutgoingMsg[] = [];
  saves = 0;

  constructor(attrs: Record<string, unknown> = {}) {
    this.attrs = { user: "Chris", read_only: false, sort: "oldest", _config: { max_body: 20000 }, ...attrs };
    if (this.attrs._snapshot) this.attrs._snapshot = withHtml(this.attrs._snapshot);
  }

  /** No other widgets in these tests. */
  widget_manager = { get_model: () => Promise.reject(new Error("no widget manager in the fake model")) };

  get<K extends keyof Model>(name: K): Model[K] {
    return this.attrs[name] as Model[K];
  }

  /** Like Backbone: setting a different value fires change:<name> at once. */
  set<K extends keyof Model>(name: K, value: Model[K]): void {
    const old = this.attrs[name];
    this.attrs[name] = value;
    if (old !== value) this.fire(`change:${name}`, value);
  }

  save_changes(): void {
    this.saves++;
  }

  on(event: string, cb: Parameters<ThreadModel["on"]>[1]): void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(cb);
  }

  off(event?: string | null, cb?: Handler | null): void {
    if (!event) {
      this.handlers.clear();
      return;
    }
    if (!cb) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(cb);
  }

  send(content: unknown): void {
    this.sent.push(JSON.parse(JSON.stringify(content)) as OutgoingMsg);
  }

  fire(event: string, ...args: unknown[]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) h(...args);
  }

  /** The kernel sends a custom message. */
  deliver(msg: IncomingMsg): void {
    this.fire("msg:custom", withHtml(JSON.parse(JSON.stringify(msg))), []);
  }

  /** Python changes a trait. */
  kernelSet(name: string, value: unknown): void {
    if (name === "_snapshot") value = withHtml(value);
    this.attrs[name] = value;
    this.fire(`change:${name}`, value);
  }

  listenerCount(): number {
    let n = 0;
    for (const s of this.handlers.values()) n += s.size;
    return n;
  }

  lastSent<K extends OutgoingMsg["kind"]>(kind: K): Extract<OutgoingMsg, { kind: K }> | undefined {
    for (let i = this.sent.length - 1; i >= 0; i--) {
      const m = this.sent[i];
      if (m.kind === kind) return m as Extract<OutgoingMsg, { kind: K }>;
    }
    return undefined;
  }
}

// ---- fixtures ---------------------------------------------------------------------------

export const POST: Post = {
  id: "post",
  title: "On a social media power trip?",
  author: "Steve",
  body: "Some **Markdown** body.",
  created_at: "2012-05-01T14:00:00Z",
  url: null,
  image: { url: "https://example.com/pic.jpg", caption: "A picture", credit: "Staff A La Carte" },
};

let minute = 0;
export function comment(id: string, parent_id: string | null, extra: Partial<Comment> = {}): Comment {
  minute++;
  return normComment({
    id,
    parent_id,
    author: "Anna",
    body: `Body of ${id}`,
    created_at: new Date(Date.UTC(2012, 4, 1, 15, minute % 60, Math.floor(minute / 60) % 60)).toISOString(),
    edited_at: null,
    status: "visible",
    likes: 0,
    liked_by: [],
    ...extra,
  });
}

export function at(minutes: number): string {
  return new Date(Date.UTC(2012, 4, 1, 15, 0, 0) + minutes * 60_000).toISOString();
}

/** c1 (Chris) with replies c2 (Steve) -> c3 (Anna); c4 (Anna) top level. */
export function smallSnapshot(epoch = "e1", seq = 0): Snapshot {
  return {
    epoch,
    seq,
    complete: true,
    post: POST,
    comments: [
      comment("c1", null, { author: "Chris", created_at: at(0), likes: 2, liked_by: ["Steve"] }),
      comment("c2", "c1", { author: "Steve", created_at: at(5) }),
      comment("c3", "c2", { author: "Anna", created_at: at(10) }),
      comment("c4", null, { author: "Anna", created_at: at(20), likes: 5 }),
    ],
  };
}
