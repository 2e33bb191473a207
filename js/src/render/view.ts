/**
 * One view of a thread: post, toolbar, new-comment composer and the comment tree.
 *
 * Keyed DOM: one record per rendered comment (Map id -> record). A change notification from the
 * store names the comments to refresh; only those cards are rebuilt, and nodes are inserted or
 * removed at their sorted position. The tree is built progressively (depth first, in time-boxed
 * chunks) and collapsed subtrees are built only when expanded. Per-view state (collapsed
 * subtrees, open composers, drafts) lives here and survives every event.
 */
import type { Op, Sort } from "../protocol";
import { SORTS } from "../protocol";
import type { Change, RejectNotice, ThreadStore } from "../state";
import { ROOT } from "../state";
import { Composer } from "../composer";
import { renderCard } from "./comment";
import { renderPost } from "./post";
import { h, plural, refreshTimes } from "./dom";

/** Visual indentation stops here; deeper replies stay at this indent with a thread line. */
export const MAX_INDENT_DEPTH = 6;
/** Top-level threads built synchronously on first render (about a screenful). */
export const FIRST_SCREEN_THREADS = 8;
/** Top-level threads per later chunk, and the time box of one chunk (ms). */
export const CHUNK_THREADS = 50;
export const CHUNK_BUDGET_MS = 12;
/** Up to this many rendered comments, a sort change moves the existing nodes in place. */
export const REORDER_IN_PLACE_MAX = 1500;
/** Node caps for the synchronous builds (first screen, and subtrees revealed by an event or click). */
const FIRST_SCREEN_NODES = 40;
const SYNC_NODES = 200;

interface BuildLimits {
  budgetMs: number;
  threads: number;
  nodes: number;
}
const FIRST: BuildLimits = { budgetMs: Infinity, threads: FIRST_SCREEN_THREADS, nodes: FIRST_SCREEN_NODES };
const CHUNK: BuildLimits = { budgetMs: CHUNK_BUDGET_MS, threads: CHUNK_THREADS, nodes: Infinity };
const SYNC: BuildLimits = { budgetMs: Infinity, threads: Infinity, nodes: SYNC_NODES };

export interface ViewContext {
  store: ThreadStore;
  sort(): Sort;
  setSort(s: Sort): void;
  readOnly(): boolean;
  maxBody(): number;
}

interface NodeRec {
  id: string;
  li: HTMLLIElement;
  card: HTMLElement;
  slot: HTMLElement;
  group: HTMLUListElement;
  depth: number;
  /** children are built (or being built by a cursor) */
  built: boolean;
  composer: Composer | null;
  composerKey: string | null;
}

interface Cursor {
  parent: string;
  group: HTMLElement;
  ids: string[];
  i: number;
  depth: number;
  last: Element | null;
}

interface Draft {
  text: string;
  error: string | null;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

export class ThreadView {
  readonly root: HTMLElement;
  private postEl: HTMLElement;
  private countEl: HTMLElement;
  private sortEl: HTMLSelectElement;
  private bannerEl: HTMLElement;
  private newCommentEl: HTMLElement;
  private emptyEl: HTMLElement;
  private treeEl: HTMLUListElement;
  private newComposer: Composer | null = null;

  private nodes = new Map<string, NodeRec>();
  private collapsed = new Set<string>();
  private drafts = new Map<string, Draft>();
  /** open reply/edit composers: comment id -> key ("reply:<id>" | "edit:<id>") */
  private openComposer = new Map<string, string>();
  private ownRids = new Map<string, { key: string; text: string }>();
  private armedDelete: string | null = null;
  private armTimer: ReturnType<typeof setTimeout> | null = null;
  private bannerTimer: ReturnType<typeof setTimeout> | null = null;

  private stack: Cursor[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private renderedSort: Sort;
  private unsubs: (() => void)[] = [];
  private destroyed = false;

  constructor(
    host: HTMLElement,
    private ctx: ViewContext,
  ) {
    this.renderedSort = ctx.sort();
    this.root = h("div", { class: "tw-root", "data-lm-suppress-shortcuts": "true" });
    this.postEl = h("article", { class: "tw-post", "data-role": "post" });
    this.countEl = h("span", { class: "tw-count", "data-role": "count", "aria-live": "polite" });
    this.sortEl = h("select", { class: "tw-sort", "data-role": "sort", "aria-label": "Sort comments" });
    const labels: Record<Sort, string> = { oldest: "Oldest", newest: "Newest", top: "Top" };
    for (const s of SORTS) this.sortEl.append(h("option", { value: s }, labels[s]));
    this.sortEl.value = this.renderedSort;
    this.sortEl.addEventListener("change", () => {
      const v = this.sortEl.value as Sort;
      if (!SORTS.includes(v)) return;
      this.ctx.setSort(v);
      this.setSort(v);
    });
    this.bannerEl = h("div", { class: "tw-error tw-banner", "data-role": "error", role: "alert", hidden: true });
    this.newCommentEl = h("div", { class: "tw-new-comment", "data-role": "new-comment" });
    this.emptyEl = h("p", { class: "tw-empty", hidden: true }, "No comments yet. Start the conversation.");
    this.treeEl = h("ul", { class: "tw-tree", "data-role": "tree", role: "tree", "aria-label": "Comments" });
    this.treeEl.addEventListener("click", (e) => this.onTreeClick(e));

    const toolbar = h(
      "div",
      { class: "tw-toolbar" },
      this.countEl,
      h("label", { class: "tw-sort-label" }, h("span", {}, "Sort by"), this.sortEl),
    );
    this.root.append(this.postEl, h("section", { class: "tw-comments", "aria-label": "Comments" }, toolbar, this.bannerEl, this.newCommentEl, this.emptyEl, this.treeEl));
    host.append(this.root);

    this.unsubs.push(ctx.store.subscribe((c) => this.onChange(c)));
    this.unsubs.push(ctx.store.onReject((r) => this.onReject(r)));

    renderPost(this.postEl, ctx.store.post);
    this.renderNewComposer();
    this.updateCount();
    this.rebuildTree();
    this.clock = setInterval(() => refreshTimes(this.root), 60_000);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const u of this.unsubs) u();
    this.unsubs = [];
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.clock !== null) clearInterval(this.clock);
    if (this.armTimer !== null) clearTimeout(this.armTimer);
    if (this.bannerTimer !== null) clearTimeout(this.bannerTimer);
    this.stack = [];
    this.root.remove();
  }

  /** True once every non-collapsed comment is in the DOM. */
  get idle(): boolean {
    return this.stack.length === 0;
  }

  /** The element of a rendered comment (for tests and tools). */
  element(id: string): HTMLLIElement | undefined {
    return this.nodes.get(id)?.li;
  }

  // ---- external changes ----------------------------------------------------------------

  setSort(sort: Sort): void {
    if (!SORTS.includes(sort)) return;
    this.sortEl.value = sort;
    if (sort === this.renderedSort) return;
    this.renderedSort = sort;
    if (!this.idle || this.nodes.size > REORDER_IN_PLACE_MAX) {
      // Big trees are rebuilt progressively, like a first render: the first screen at once and
      // no long task, where moving every node would freeze the page (per-view state survives).
      this.rebuildTree();
      return;
    }
    // Reorder while the tree is detached: moving thousands of connected nodes one by one costs
    // seconds (every move updates the live document); detached, it is a few milliseconds.
    const parent = this.treeEl.parentNode;
    const next = this.treeEl.nextSibling;
    const scroll = this.scrollAnchor();
    this.treeEl.remove();
    this.reorder(ROOT, this.treeEl);
    for (const rec of this.nodes.values()) if (rec.built) this.reorder(rec.id, rec.group);
    parent?.insertBefore(this.treeEl, next);
    scroll();
  }

  /** Remember where the reader is (the scroll offset of the nearest scroller) to restore it. */
  private scrollAnchor(): () => void {
    let el: HTMLElement | null = this.root.parentElement;
    while (el && el.scrollHeight <= el.clientHeight) el = el.parentElement;
    const target = el ?? document.scrollingElement;
    const top = target ? target.scrollTop : 0;
    return () => {
      if (target) target.scrollTop = top;
    };
  }

  /** read_only or user changed: redraw everything but keep per-view state. */
  refreshAll(): void {
    this.renderNewComposer();
    this.updateCount();
    this.rebuildTree();
  }

  /** `_config` changed: composers re-read the body limit. */
  refreshComposers(): void {
    this.newComposer?.refresh();
    for (const rec of this.nodes.values()) rec.composer?.refresh();
  }

  private onChange(c: Change): void {
    if (this.destroyed) return;
    for (const rid of [...this.ownRids.keys()]) if (!this.ctx.store.pending.has(rid)) this.ownRids.delete(rid);
    if (c.reset) {
      renderPost(this.postEl, this.ctx.store.post);
      this.updateCount();
      this.rebuildTree();
      return;
    }
    const store = this.ctx.store;
    const ids = [...new Set(c.ids)].map((id) => ({ id, d: store.depth(id) })).sort((a, b) => a.d - b.d);
    for (const { id } of ids) this.refresh(id);
    this.updateCount();
  }

  private onReject(r: RejectNotice): void {
    const own = this.ownRids.get(r.rid);
    if (!own) {
      // Not one of this view's composers: if this view pressed the button, say so.
      if (this.ownActions.delete(r.rid)) this.showBanner(r.reason);
      return;
    }
    this.ownRids.delete(r.rid);
    const key = own.key;
    const current = this.drafts.get(key)?.text ?? "";
    const text = current.trim() !== "" ? current : own.text;
    this.drafts.set(key, { text, error: r.reason });
    if (key === "new") {
      if (this.newComposer) {
        if (this.newComposer.value.trim() === "") this.newComposer.value = text;
        this.newComposer.setError(r.reason);
      } else this.showBanner(r.reason);
      return;
    }
    const id = key.slice(key.indexOf(":") + 1);
    const rec = this.nodes.get(id);
    if (!rec || this.ctx.readOnly()) {
      this.showBanner(r.reason);
      return;
    }
    this.openComposer.set(id, key);
    this.mountComposer(rec);
    this.renderRec(rec);
    rec.composer?.setError(r.reason);
    rec.composer?.focus();
  }

  private ownActions = new Set<string>();

  // ---- toolbar / new comment -------------------------------------------------------------

  private updateCount(): void {
    const n = this.ctx.store.visibleCount();
    this.countEl.textContent = plural(n, "comment", "comments");
    const anyShown = this.ctx.store.childIds(ROOT).some((id) => this.ctx.store.isShown(id));
    this.emptyEl.hidden = anyShown || !this.ctx.store.complete;
  }

  private renderNewComposer(): void {
    this.newComposer = null;
    this.newCommentEl.replaceChildren();
    if (this.ctx.readOnly()) {
      this.newCommentEl.hidden = true;
      return;
    }
    this.newCommentEl.hidden = false;
    const d = this.drafts.get("new");
    const comp = new Composer({
      key: "new",
      label: "Write a comment",
      placeholder: "Join the discussion…",
      submitText: "Comment",
      cancelText: "Clear",
      text: d?.text ?? "",
      error: d?.error ?? null,
      maxBody: this.ctx.maxBody,
      onInput: (t) => this.drafts.set("new", { text: t, error: null }),
      onCancel: () => {
        comp.value = "";
        comp.setError(null);
        this.drafts.delete("new");
      },
      onSubmit: (body) => {
        const store = this.ctx.store;
        const id = store.nextCommentId();
        const rid = store.submit({ type: "add", id, parent_id: null, body });
        this.ownRids.set(rid, { key: "new", text: body });
        comp.value = "";
        this.drafts.delete("new");
        // Show the new comment where the sort put it (the bottom, for "oldest").
        const li = this.nodes.get(id)?.li;
        if (li && typeof li.scrollIntoView === "function") li.scrollIntoView({ block: "nearest" });
      },
    });
    this.newComposer = comp;
    this.newCommentEl.append(comp.el);
  }

  private showBanner(msg: string): void {
    this.bannerEl.textContent = msg;
    this.bannerEl.hidden = false;
    if (this.bannerTimer !== null) clearTimeout(this.bannerTimer);
    this.bannerTimer = setTimeout(() => {
      this.bannerEl.hidden = true;
      this.bannerEl.textContent = "";
    }, 8000);
  }

  // ---- tree building ---------------------------------------------------------------------

  private rebuildTree(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.stack = [];
    for (const rec of this.nodes.values()) rec.composer = null;
    this.nodes.clear();
    this.treeEl.replaceChildren();
    this.renderedSort = this.ctx.sort();
    this.sortEl.value = this.renderedSort;
    this.pushCursor(ROOT, this.treeEl, 1);
    this.runBuild(FIRST);
    this.schedule();
  }

  private pushCursor(parent: string, group: HTMLElement, depth: number): void {
    const ids = this.ctx.store.sortedChildren(parent, this.renderedSort);
    if (ids.length) this.stack.push({ parent, group, ids, i: 0, depth, last: null });
  }

  /**
   * Build nodes depth first until a limit is reached: the time box (later chunks), or a count of
   * top-level threads / nodes (synchronous builds, which must be deterministic).
   */
  private runBuild(limits: BuildLimits): void {
    const start = now();
    let threads = 0;
    let nodes = 0;
    while (this.stack.length) {
      const cur = this.stack[this.stack.length - 1];
      if (cur.i >= cur.ids.length) {
        this.stack.pop();
        continue;
      }
      if (cur.parent === ROOT) {
        if (threads >= limits.threads) break;
        threads++;
      }
      const id = cur.ids[cur.i++];
      const existing = this.nodes.get(id);
      if (existing) {
        cur.last = existing.li;
      } else if (this.ctx.store.isShown(id)) {
        const rec = this.createNode(id, cur.depth);
        if (cur.last && cur.last.parentNode === cur.group) cur.last.after(rec.li);
        else this.place(rec.li, id, cur.group);
        cur.last = rec.li;
        if (!this.collapsed.has(id) && this.hasShownChildren(id)) {
          rec.built = true;
          this.pushCursor(id, rec.group, cur.depth + 1);
        }
      }
      if (++nodes >= limits.nodes) break;
      if (limits.budgetMs !== Infinity && now() - start > limits.budgetMs) break;
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.stack.length === 0 || this.destroyed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.destroyed) return;
      this.runBuild(CHUNK);
      this.schedule();
    }, 0);
  }

  private hasShownChildren(id: string): boolean {
    const store = this.ctx.store;
    return store.childIds(id).some((k) => store.isShown(k));
  }

  private createNode(id: string, depth: number): NodeRec {
    const li = h("li", {
      class: "tw-comment",
      role: "treeitem",
      "data-comment-id": id,
      "aria-level": depth,
      "data-depth": depth,
    });
    if (depth > MAX_INDENT_DEPTH) li.classList.add("tw-deep");
    const card = h("div", { class: "tw-card" });
    const slot = h("div", { class: "tw-slot" });
    const group = h("ul", { class: "tw-group", role: "group" });
    if (depth >= MAX_INDENT_DEPTH) group.classList.add("tw-flat");
    li.append(card, slot, group);
    const rec: NodeRec = { id, li, card, slot, group, depth, built: false, composer: null, composerKey: null };
    this.nodes.set(id, rec);
    this.renderRec(rec);
    if (this.openComposer.has(id) && !this.ctx.readOnly()) this.mountComposer(rec);
    return rec;
  }

  /** Insert `li` into `group` at the sorted position of `id` (binary search over siblings). */
  private place(li: HTMLElement, id: string, group: HTMLElement): void {
    const store = this.ctx.store;
    const kids = group.children;
    let lo = 0;
    let hi = kids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = (kids[mid] as HTMLElement).dataset.commentId ?? "";
      if (other === id || store.compare(other, id, this.renderedSort) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const before = kids[lo] ?? null;
    if (before === li) return;
    group.insertBefore(li, before);
  }

  private reorder(parent: string, group: HTMLElement): void {
    const order = this.ctx.store.sortedChildren(parent, this.renderedSort);
    for (const id of order) {
      const rec = this.nodes.get(id);
      if (rec && rec.li.parentNode === group) group.append(rec.li);
    }
  }

  // ---- keyed updates ---------------------------------------------------------------------

  private refresh(id: string): void {
    const store = this.ctx.store;
    const rec = this.nodes.get(id);
    const shown = store.isShown(id);
    if (rec && !shown) {
      this.removeNode(rec);
      return;
    }
    if (rec) {
      this.renderRec(rec);
      this.ensurePosition(rec);
      if (!rec.built && !this.collapsed.has(id) && this.hasShownChildren(id)) {
        rec.built = true;
        this.pushCursor(id, rec.group, rec.depth + 1);
        this.runBuild(SYNC);
        this.schedule();
      }
      return;
    }
    if (!shown) return;
    const parent = store.parentOf(id);
    let group: HTMLElement;
    let depth: number;
    if (parent === null) {
      group = this.treeEl;
      depth = 1;
    } else {
      const prec = this.nodes.get(parent);
      if (!prec || !prec.built) return; // not on screen yet; built with its parent later
      group = prec.group;
      depth = prec.depth + 1;
    }
    const nrec = this.createNode(id, depth);
    this.place(nrec.li, id, group);
    if (!this.collapsed.has(id) && this.hasShownChildren(id)) {
      nrec.built = true;
      this.pushCursor(id, nrec.group, depth + 1);
      this.runBuild(SYNC);
      this.schedule();
    }
  }

  private ensurePosition(rec: NodeRec): void {
    const store = this.ctx.store;
    const prev = rec.li.previousElementSibling as HTMLElement | null;
    const next = rec.li.nextElementSibling as HTMLElement | null;
    const s = this.renderedSort;
    const bad =
      (prev && store.compare(prev.dataset.commentId ?? "", rec.id, s) > 0) ||
      (next && store.compare(rec.id, next.dataset.commentId ?? "", s) > 0);
    if (!bad) return;
    const group = rec.li.parentElement;
    if (!group) return;
    rec.li.remove();
    this.place(rec.li, rec.id, group);
  }

  private removeNode(rec: NodeRec): void {
    rec.li.remove();
    this.nodes.delete(rec.id);
    for (const el of Array.from(rec.li.querySelectorAll<HTMLElement>("[data-comment-id]"))) {
      const k = el.dataset.commentId;
      if (k) this.nodes.delete(k);
    }
  }

  private renderRec(rec: NodeRec): void {
    const store = this.ctx.store;
    const c = store.display(rec.id);
    if (!c) return;
    const hasChildren = this.hasShownChildren(rec.id);
    const collapsed = this.collapsed.has(rec.id) && hasChildren;
    const pending = store.isPending(rec.id);
    rec.li.dataset.status = c.status;
    if (pending) rec.li.dataset.pending = "true";
    else delete rec.li.dataset.pending;
    if (hasChildren) rec.li.setAttribute("aria-expanded", collapsed ? "false" : "true");
    else rec.li.removeAttribute("aria-expanded");
    rec.li.classList.toggle("tw-is-collapsed", collapsed);
    rec.group.hidden = collapsed || !hasChildren;
    rec.li.setAttribute("aria-label", c.status === "deleted" ? "Deleted comment" : `Comment by ${c.author}`);
    renderCard(rec.card, {
      comment: c,
      user: store.user,
      postAuthor: store.post?.author ?? null,
      readOnly: this.ctx.readOnly(),
      pending,
      unconfirmed: store.isUnconfirmed(rec.id),
      replies: collapsed ? store.replyCount(rec.id) : 0,
      hasChildren,
      collapsed,
      editing: this.openComposer.get(rec.id) === `edit:${rec.id}`,
      armedDelete: this.armedDelete === rec.id,
    });
  }

  // ---- actions -----------------------------------------------------------------------------

  private onTreeClick(e: MouseEvent): void {
    const target = e.target as Element | null;
    const btn = target?.closest<HTMLButtonElement>("button[data-action]");
    if (!btn || !this.treeEl.contains(btn)) return;
    const li = btn.closest<HTMLElement>("[data-comment-id]");
    const id = li?.dataset.commentId;
    if (!id) return;
    const rec = this.nodes.get(id);
    if (!rec) return;
    // Buttons inside a composer belong to the composer.
    if (btn.closest(".tw-composer")) return;
    const store = this.ctx.store;
    const action = btn.dataset.action;
    const ro = this.ctx.readOnly();
    switch (action) {
      case "collapse":
        this.toggleCollapse(rec);
        return;
      case "like": {
        if (ro) return;
        const c = store.display(id);
        if (!c) return;
        const liked = c.liked_by.includes(store.user);
        this.act({ type: liked ? "unlike" : "like", id });
        return;
      }
      case "reply":
        if (!ro) this.toggleComposer(rec, `reply:${id}`);
        return;
      case "edit":
        if (!ro) this.toggleComposer(rec, `edit:${id}`);
        return;
      case "delete":
        if (ro) return;
        if (this.armedDelete === id) {
          this.disarm();
          this.act({ type: "delete", id });
        } else {
          this.disarm();
          this.armedDelete = id;
          this.renderRec(rec);
          rec.card.querySelector<HTMLElement>('button[data-action="delete"]')?.focus();
          this.armTimer = setTimeout(() => this.disarm(), 4000);
        }
        return;
    }
  }

  private disarm(): void {
    if (this.armTimer !== null) clearTimeout(this.armTimer);
    this.armTimer = null;
    const id = this.armedDelete;
    this.armedDelete = null;
    const rec = id ? this.nodes.get(id) : undefined;
    if (rec) this.renderRec(rec);
  }

  private act(op: Op): void {
    const rid = this.ctx.store.submit(op);
    this.ownActions.add(rid);
    if (this.ownActions.size > 200) this.ownActions.delete(this.ownActions.values().next().value as string);
  }

  private toggleCollapse(rec: NodeRec): void {
    if (this.collapsed.has(rec.id)) {
      this.collapsed.delete(rec.id);
      if (!rec.built) {
        rec.built = true;
        this.pushCursor(rec.id, rec.group, rec.depth + 1);
        this.runBuild(SYNC);
        this.schedule();
      }
    } else {
      this.collapsed.add(rec.id);
    }
    this.renderRec(rec);
    rec.card.querySelector<HTMLElement>('button[data-action="collapse"]')?.focus();
  }

  private toggleComposer(rec: NodeRec, key: string): void {
    if (this.openComposer.get(rec.id) === key) {
      this.closeComposer(rec, false);
      return;
    }
    if (key.startsWith("edit:") && !this.drafts.has(key)) {
      this.drafts.set(key, { text: this.ctx.store.display(rec.id)?.body ?? "", error: null });
    }
    this.openComposer.set(rec.id, key);
    this.mountComposer(rec);
    this.renderRec(rec);
    rec.composer?.focus();
  }

  private closeComposer(rec: NodeRec, keepDraft: boolean): void {
    const key = this.openComposer.get(rec.id);
    this.openComposer.delete(rec.id);
    if (key && !keepDraft) this.drafts.delete(key);
    rec.slot.replaceChildren();
    rec.composer = null;
    rec.composerKey = null;
    this.renderRec(rec);
  }

  /** Put the open composer of `rec` (reply or edit) into its slot, with its draft. */
  private mountComposer(rec: NodeRec): void {
    const key = this.openComposer.get(rec.id);
    if (!key) return;
    if (rec.composer && rec.composerKey === key) return;
    const edit = key.startsWith("edit:");
    const c = this.ctx.store.display(rec.id);
    const d = this.drafts.get(key);
    const comp: Composer = new Composer({
      key,
      label: edit ? "Edit your comment" : `Reply to ${c?.author ?? "comment"}`,
      placeholder: edit ? "Edit your comment…" : `Reply to ${c?.author ?? "this comment"}…`,
      submitText: edit ? "Save" : "Reply",
      text: d?.text ?? "",
      error: d?.error ?? null,
      maxBody: this.ctx.maxBody,
      onInput: (t) => this.drafts.set(key, { text: t, error: null }),
      onCancel: () => {
        this.closeComposer(rec, false);
        rec.card.querySelector<HTMLElement>(`button[data-action="${edit ? "edit" : "reply"}"]`)?.focus();
      },
      onSubmit: (body) => {
        const store = this.ctx.store;
        if (edit && body === store.display(rec.id)?.body) {
          this.closeComposer(rec, false);
          return;
        }
        const op: Op = edit
          ? { type: "edit", id: rec.id, body }
          : { type: "add", id: store.nextCommentId(), parent_id: rec.id, body };
        this.closeComposer(rec, false);
        const rid = store.submit(op);
        this.ownRids.set(rid, { key, text: body });
      },
    });
    rec.slot.replaceChildren(comp.el);
    rec.composer = comp;
    rec.composerKey = key;
  }
}
