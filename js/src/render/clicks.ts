/**
 * What a click in the tree does: tree actions (collapse, more, continue) go to the Tree; like,
 * vote, label, reply, edit and a two-step delete become operations or open composers. Requests
 * this view sent are remembered, so that a refusal is shown in this view only.
 */
import type { Op } from "../protocol";
import { labelOp } from "./labels";
import { voteOp } from "./votes";
import type { ModerationUI } from "./moderation";
import type { ViewContext } from "./context";
import type { Drafts } from "./drafts";
import type { Tree } from "./tree";
import { continueThread, showMore, toggleCollapse } from "./tree-actions";
import { paint } from "./updates";

export interface ClicksHost {
  ctx(): ViewContext;
  tree(): Tree;
  mod: ModerationUI;
  drafts: Drafts;
}

export class Clicks {
  readonly #host: ClicksHost;
  /** the comment whose delete button was pressed once (a second press deletes) */
  armedDelete: string | null = null;
  #armTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #own = new Set<string>();

  constructor(host: ClicksHost) {
    this.#host = host;
  }

  dispose(): void {
    if (this.#armTimer !== null) clearTimeout(this.#armTimer);
    this.#armTimer = null;
  }

  /** Did this view send the request `rid` (and has it not been answered)? Forgets it. */
  takeOwn(rid: string): boolean {
    return this.#own.delete(rid);
  }

  onClick(e: MouseEvent, t: Tree): void {
    const ctx = this.#host.ctx();
    const target = e.target as Element | null;
    const li = target?.closest<HTMLElement>("[data-comment-id]");
    if (li && t.el.contains(li) && !target?.closest("button, a, textarea, input, select, .tw-composer")) {
      // a click on a comment selects it (the `selected` trait)
      const id = li.dataset.commentId ?? "";
      if (t.nodes.has(id)) ctx.select?.(id);
    }
    const btn = target?.closest<HTMLButtonElement>("button[data-action]");
    if (!btn || !t.el.contains(btn)) return;
    const id = btn.closest<HTMLElement>("[data-comment-id]")?.dataset.commentId;
    if (!id) return;
    const rec = t.nodes.get(id);
    if (!rec) return;
    // Buttons inside a composer belong to the composer.
    if (btn.closest(".tw-composer")) return;
    if (this.#host.mod.click(btn, id)) return;
    const store = ctx.store;
    const ro = ctx.readOnly();
    const drafts = this.#host.drafts;
    switch (btn.dataset.action) {
      case "collapse":
        return toggleCollapse(t, rec);
      case "more":
        return showMore(t, rec);
      case "continue":
        return continueThread(t, rec);
      case "goto": {
        // the parent a reply-to mark or a quote names (render/layout.ts)
        const to = t.nav.reveal(btn.dataset.target ?? "");
        if (to) t.nav.focusStop(to.li);
        return;
      }
      case "like":
        if (!ro) this.toggleLike(id);
        return;
      case "vote": {
        const c = store.display(id);
        if (!ro && c && btn.dataset.choice) this.act(voteOp(c, store.user, btn.dataset.choice));
        return;
      }
      case "label": {
        const op = ro ? null : labelOp(store.display(id), btn.dataset.label, store.user);
        if (op) this.act(op);
        return;
      }
      case "reply":
        if (!ro) drafts.toggle(rec, `reply:${id}`);
        return;
      case "edit":
        if (!ro) drafts.toggle(rec, `edit:${id}`);
        return;
      case "delete":
        if (ro) return;
        if (this.armedDelete === id) {
          this.#disarm();
          this.act({ type: "delete", id });
        } else {
          this.#disarm();
          this.armedDelete = id;
          paint(t, rec);
          rec.card.querySelector<HTMLElement>('button[data-action="delete"]')?.focus();
          this.#armTimer = setTimeout(() => this.#disarm(), 4000);
        }
        return;
    }
  }

  toggleLike(id: string): void {
    const store = this.#host.ctx().store;
    const c = store.display(id);
    if (c) this.act({ type: c.liked_by.includes(store.user) ? "unlike" : "like", id });
  }

  #disarm(): void {
    if (this.#armTimer !== null) clearTimeout(this.#armTimer);
    this.#armTimer = null;
    const id = this.armedDelete;
    this.armedDelete = null;
    const t = this.#host.tree();
    const rec = id ? t.nodes.get(id) : undefined;
    if (rec) paint(t, rec);
  }

  act(op: Op): string {
    const rid = this.#host.ctx().store.submit(op);
    this.#own.add(rid);
    if (this.#own.size > 200) this.#own.delete(this.#own.values().next().value as string);
    return rid;
  }
}
