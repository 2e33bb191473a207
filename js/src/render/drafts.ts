/**
 * Composers and drafts of one view: the new-comment box, the reply and edit composers opened on
 * comments, the text typed in each (kept across rebuilds, searches and rejections), and which
 * requests came from which composer (a refusal puts the text back with the reason).
 */
import type { Op } from "../protocol";
import type { RejectNotice } from "../state";
import { GONE_REASON } from "../protocol";
import { Composer } from "../composer";
import type { ViewContext } from "./context";
import type { Fmt } from "../strings";
import type { NodeRec } from "./tree";

interface Draft {
  text: string;
  error: string | null;
  /** 0: typed here; n: the text of this view's n-th request, put back after a refusal */
  from: number;
}

export interface DraftsHost {
  ctx(): ViewContext;
  fmt(): Fmt;
  /** repaint a comment's card (its edit state shows there) */
  paint(rec: NodeRec): void;
  /** the node of a comment in the current tree */
  node(id: string): NodeRec | undefined;
  /** a new own top-level comment was sent: show it */
  sent(id: string): void;
  banner(msg: string): void;
}

export class Drafts {
  readonly #host: DraftsHost;
  readonly #drafts = new Map<string, Draft>();
  /** open reply/edit composers: comment id -> key ("reply:<id>" | "edit:<id>") */
  readonly open = new Map<string, string>();
  readonly #ownRids = new Map<string, { key: string; text: string; n: number }>();
  /** requests sent from composers, counted (the newer text wins after refusals) */
  #sentCount = 0;
  #newComposer: Composer | null = null;

  constructor(host: DraftsHost) {
    this.#host = host;
  }

  /** Is the edit composer of `id` open? */
  editing(id: string): boolean {
    return this.open.get(id) === `edit:${id}`;
  }

  /** Forget the request ids the store no longer waits for. */
  prune(): void {
    const pending = this.#host.ctx().store.pending;
    for (const rid of [...this.#ownRids.keys()]) if (!pending.has(rid)) this.#ownRids.delete(rid);
  }

  toggle(rec: NodeRec, key: string): void {
    if (this.open.get(rec.id) === key) {
      this.close(rec, false);
      return;
    }
    if (key.startsWith("edit:") && !this.#drafts.has(key)) {
      this.#drafts.set(key, { text: this.#host.ctx().store.display(rec.id)?.body ?? "", error: null, from: 0 });
    }
    this.open.set(rec.id, key);
    this.mount(rec);
    this.#host.paint(rec);
    rec.composer?.focus();
  }

  /** `r` on a comment: focus its open reply composer, or open one. */
  reply(rec: NodeRec): void {
    if (this.open.get(rec.id) === `reply:${rec.id}`) rec.composer?.focus();
    else this.toggle(rec, `reply:${rec.id}`);
  }

  close(rec: NodeRec, keepDraft: boolean): void {
    const key = this.open.get(rec.id);
    this.open.delete(rec.id);
    if (key && !keepDraft) this.#drafts.delete(key);
    rec.slot.replaceChildren();
    rec.composer = null;
    rec.composerKey = null;
    this.#host.paint(rec);
  }

  /** Put the open composer of `rec` (reply or edit) into its slot, with its draft. */
  mount(rec: NodeRec): void {
    const key = this.open.get(rec.id);
    if (!key) return;
    if (rec.composer && rec.composerKey === key) return;
    const fmt = this.#host.fmt();
    const ctx = this.#host.ctx();
    const edit = key.startsWith("edit:");
    const c = ctx.store.display(rec.id);
    const d = this.#drafts.get(key);
    const comp: Composer = new Composer({
      key,
      label: edit ? fmt.t("edit_label") : fmt.t("reply_to", { author: c?.author ?? "" }),
      placeholder: edit ? fmt.t("edit_placeholder") : fmt.t("reply_placeholder", { author: c?.author ?? "" }),
      submitText: edit ? fmt.t("save") : fmt.t("reply"),
      fmt,
      text: d?.text ?? "",
      error: d?.error ?? null,
      maxBody: () => ctx.maxBody(),
      onInput: (t) => this.#drafts.set(key, { text: t, error: null, from: 0 }),
      blocked: () => this.#blocked(),
      onCancel: () => {
        this.close(rec, false);
        rec.card.querySelector<HTMLElement>(`button[data-action="${edit ? "edit" : "reply"}"]`)?.focus();
      },
      onSubmit: (body) => {
        const store = this.#host.ctx().store;
        if (edit && body === store.display(rec.id)?.body) {
          this.close(rec, false);
          return;
        }
        const op: Op = edit
          ? { type: "edit", id: rec.id, body }
          : { type: "add", id: store.nextCommentId(), parent_id: rec.id, body };
        this.close(rec, false);
        const rid = store.submit(op);
        this.#ownRids.set(rid, { key, text: body, n: ++this.#sentCount });
      },
    });
    rec.slot.replaceChildren(comp.el);
    rec.composer = comp;
    rec.composerKey = key;
  }

  /** Drop a node's composer element (the tree is rebuilt; the draft stays). */
  unmount(rec: NodeRec): void {
    rec.slot.replaceChildren();
    rec.composer = null;
    rec.composerKey = null;
  }

  /** The new-comment box (hidden for readers, read-only views and locked threads). */
  renderNew(el: HTMLElement, closed: boolean): void {
    this.#newComposer = null;
    el.replaceChildren();
    if (closed) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const fmt = this.#host.fmt();
    const d = this.#drafts.get("new");
    const comp = new Composer({
      key: "new",
      label: fmt.t("new_comment_label"),
      placeholder: fmt.t("new_comment_placeholder"),
      submitText: fmt.t("submit_comment"),
      cancelText: fmt.t("clear"),
      fmt,
      text: d?.text ?? "",
      error: d?.error ?? null,
      maxBody: () => this.#host.ctx().maxBody(),
      onInput: (t) => this.#drafts.set("new", { text: t, error: null, from: 0 }),
      blocked: () => this.#blocked(),
      onCancel: () => {
        comp.value = "";
        comp.setError(null);
        this.#drafts.delete("new");
      },
      onSubmit: (body) => {
        const store = this.#host.ctx().store;
        const id = store.nextCommentId();
        const rid = store.submit({ type: "add", id, parent_id: null, body });
        this.#ownRids.set(rid, { key: "new", text: body, n: ++this.#sentCount });
        comp.value = "";
        this.#drafts.delete("new");
        this.#host.sent(id);
      },
    });
    this.#newComposer = comp;
    el.append(comp.el);
  }

  /** Composers re-read the body limit. */
  refresh(nodes: Iterable<NodeRec>): void {
    this.#newComposer?.refresh();
    for (const rec of nodes) rec.composer?.refresh();
  }

  /** Why a composer cannot send now (no kernel), in the view's words, or null. */
  #blocked(): string | null {
    const off = this.#host.ctx().store.offline;
    if (off === null) return null;
    return off === GONE_REASON ? this.#host.fmt().t("gone_refused") : this.#host.fmt().t("offline_refused");
  }

  /**
   * A refused request: if one of this view's composers sent it, its text comes back with the
   * reason. The newest text wins: a refusal of an older request leaves a newer one's text (put
   * back, or still on its way) alone, and text typed since is never replaced.
   */
  onReject(r: RejectNotice): boolean {
    const own = this.#ownRids.get(r.rid);
    if (!own) return false;
    this.#ownRids.delete(r.rid);
    const key = own.key;
    const pending = this.#host.ctx().store.pending;
    for (const [rid, o] of this.#ownRids) {
      if (o.key === key && o.n > own.n && pending.has(rid)) {
        this.#host.banner(r.reason); // a newer text from this composer is still on its way
        return true;
      }
    }
    const d = this.#drafts.get(key);
    const typed = d !== undefined && d.from === 0 && d.text.trim() !== "";
    const newer = d !== undefined && d.from > own.n;
    const text = typed || newer ? d.text : own.text;
    this.#drafts.set(key, { text, error: r.reason, from: typed ? 0 : Math.max(own.n, d?.from ?? 0) });
    if (key === "new") {
      if (this.#newComposer) {
        if (!typed) this.#newComposer.value = text;
        this.#newComposer.setError(r.reason);
      } else this.#host.banner(r.reason);
      return true;
    }
    const id = key.slice(key.indexOf(":") + 1);
    const rec = this.#host.node(id);
    if (!rec || this.#host.ctx().readOnly()) {
      this.#host.banner(r.reason);
      return true;
    }
    this.open.set(id, key);
    this.mount(rec);
    if (!typed && rec.composer && rec.composer.value !== text) rec.composer.value = text;
    this.#host.paint(rec);
    rec.composer?.setError(r.reason);
    rec.composer?.focus();
    return true;
  }
}
