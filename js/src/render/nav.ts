/**
 * Keyboard navigation of a Tree (WAI-ARIA tree view with a roving tabindex), the position
 * attributes of the focused item, and revealing one comment (`w.focus`, `selected`, permalinks).
 */
import { ROOT } from "../state";
import { MORE_BATCH, type NodeRec, type Tree } from "./tree";
import { toggleCollapse } from "./tree-actions";
import { paint } from "./updates";

/** What the view does for the keys that act on a comment (`r` reply, `l` like). */
export interface KeyActions {
  readOnly(): boolean;
  reply(rec: NodeRec): void;
  like(rec: NodeRec): void;
}

export class Nav {
  readonly #t: Tree;

  constructor(t: Tree) {
    this.#t = t;
  }

  /** Exactly one tree item has tabindex=0. */
  setTabStop(li: HTMLElement): void {
    const t = this.#t;
    if (t.tabStopEl === li) return;
    if (t.tabStopEl) t.tabStopEl.tabIndex = -1;
    li.tabIndex = 0;
    t.tabStopEl = li;
  }

  /** Keep a tab stop in the tree: the current item if built and visible, else the first comment. */
  ensureTabStop(): void {
    const t = this.#t;
    const cur = t.tabStopEl;
    if (cur && cur.isConnected && t.el.contains(cur)) return;
    const act = t.active !== null ? t.nodes.get(t.active) : undefined;
    const li = act && t.el.contains(act.li) ? act.li : t.el.querySelector<HTMLElement>(":scope > [data-comment-id]");
    if (li) this.setTabStop(li);
    else t.tabStopEl = null;
  }

  onFocusIn(e: FocusEvent): void {
    const t = this.#t;
    const target = e.target as HTMLElement | null;
    const li = target?.closest<HTMLElement>('[role="treeitem"][data-comment-id]');
    if (!li || !t.el.contains(li)) return;
    const id = li.dataset.commentId ?? "";
    if (!t.nodes.has(id)) return;
    t.active = id;
    this.setTabStop(li);
    if (target === li) this.updatePosition();
    t.host.onSelect(id);
  }

  /**
   * aria-posinset / aria-setsize on the focused item only, counted over all its shown siblings
   * (replies behind "more" included), recomputed on focus and after every change.
   */
  updatePosition(): void {
    const t = this.#t;
    const li = t.el.ownerDocument.activeElement as HTMLElement | null;
    if (!li || li.getAttribute("role") !== "treeitem" || !t.el.contains(li)) return;
    const rec = t.nodes.get(li.dataset.commentId ?? "");
    if (!rec) return;
    const store = t.shape;
    if (rec.parent === ROOT && t.win) {
      // windowed: the position in the kept order, not a walk over thousands of siblings
      li.setAttribute("aria-setsize", String(t.win.order.length));
      li.setAttribute("aria-posinset", String(t.win.indexOf(rec.id) + 1));
      return;
    }
    let size = 0;
    let pos = 1;
    for (const k of store.childIds(rec.parent)) {
      if (!t.shown(k)) continue;
      size++;
      if (k !== rec.id && store.compare(k, rec.id, t.sort) < 0) pos++;
    }
    li.setAttribute("aria-setsize", String(size));
    li.setAttribute("aria-posinset", String(pos));
  }

  /** The focused tree stop (an item or a more/continue button), to restore after a rebuild. */
  focusedStop(): { id: string; tail: boolean } | null {
    const t = this.#t;
    const el = t.el.ownerDocument.activeElement as HTMLElement | null;
    if (!el || !t.el.contains(el)) return null;
    if (el.getAttribute("role") === "treeitem") return { id: el.dataset.commentId ?? "", tail: false };
    const li = el.closest<HTMLElement>("[data-comment-id]");
    if (li && el.closest(".tw-tail")) return { id: li.dataset.commentId ?? "", tail: true };
    return null;
  }

  restoreFocus(f: { id: string; tail: boolean } | null): void {
    const t = this.#t;
    if (!f) return;
    const active = t.el.ownerDocument.activeElement;
    if (active && t.el.contains(active)) return;
    const rec = t.materialize(f.id);
    if (!rec) {
      // it went behind "more" (a sort): the tab stop moved to its parent
      this.ensureTabStop();
      t.tabStopEl?.focus({ preventScroll: true });
      return;
    }
    if (f.tail && rec.tailBtn) rec.tailBtn.focus({ preventScroll: true });
    else {
      this.setTabStop(rec.li);
      rec.li.focus({ preventScroll: true });
    }
  }

  focusStop(el: HTMLElement): void {
    const t = this.#t;
    const item = el.getAttribute("role") === "treeitem";
    if (item) {
      t.active = el.dataset.commentId ?? null;
      this.setTabStop(el);
    }
    el.focus({ preventScroll: true });
    const target = item ? (el.firstElementChild as HTMLElement | null) : el;
    if (target && typeof target.scrollIntoView === "function") target.scrollIntoView({ block: "nearest" });
    if (item) this.updatePosition();
  }

  /**
   * Open the collapsed ancestors of `id`, reveal it behind "more" / "continue", build it if the
   * progressive build has not reached it, and make it the tab stop. Null if it is not shown.
   */
  reveal(id: string): NodeRec | null {
    const t = this.#t;
    const store = t.shape;
    const chain = store.ancestors(store.parentOf(id)).reverse();
    const path = [...chain, id];
    for (let i = 0; i < chain.length; i++) {
      const a = chain[i];
      t.collapsed.delete(a);
      if (t.search) continue; // a search lifts the limits already
      t.shared.continued.add(a);
      const idx = t.kidsOf(a).indexOf(path[i + 1]);
      if (idx >= (t.shared.revealed.get(a) ?? MORE_BATCH)) t.shared.revealed.set(a, idx + 1);
    }
    let prec: NodeRec | null = null;
    for (const a of path) {
      let rec: NodeRec | null = t.nodes.get(a) ?? null;
      if (!rec && prec) {
        t.buildKids(prec);
        rec = t.nodes.get(a) ?? null;
      } else if (!rec) rec = t.materialize(a);
      if (!rec) return null;
      if (a !== id) {
        if (!rec.built && t.shouldBuild(rec)) t.startKids(rec);
        paint(t, rec);
      }
      prec = rec;
    }
    const rec = prec as NodeRec;
    t.schedule();
    t.host.onBuilt(t);
    t.active = id;
    this.setTabStop(rec.li);
    return rec;
  }

  // ---- moving between stops ----------------------------------------------------------------

  /** The top-level comment next to `rec` (+1) or before it (-1), built if needed. */
  #topSibling(rec: NodeRec, dir: 1 | -1): HTMLElement | null {
    const t = this.#t;
    if (t.idle && !t.win)
      return (dir > 0 ? rec.li.nextElementSibling : rec.li.previousElementSibling) as HTMLElement | null;
    const order = t.topOrder();
    const i = order.indexOf(rec.id);
    const id = i < 0 ? undefined : order[i + dir];
    return id === undefined ? null : (t.materialize(id)?.li ?? null);
  }

  #sibling(rec: NodeRec, dir: 1 | -1): HTMLElement | null {
    const t = this.#t;
    if (rec.parent === ROOT) return this.#topSibling(rec, dir);
    const prec = t.nodes.get(rec.parent);
    if (prec) t.buildKids(prec);
    return (dir > 0 ? rec.li.nextElementSibling : rec.li.previousElementSibling) as HTMLElement | null;
  }

  /** The first stop inside `rec` (its first reply, or its continue/more button). */
  #firstInside(rec: NodeRec): HTMLElement | null {
    const t = this.#t;
    if (t.collapsed.has(rec.id)) return null;
    t.buildKids(rec);
    if (rec.built && rec.group.firstElementChild && !rec.group.hidden)
      return rec.group.firstElementChild as HTMLElement;
    return rec.tailBtn;
  }

  /** The last stop of the subtree of `rec` in document order. */
  #lastStopIn(rec: NodeRec): HTMLElement {
    const t = this.#t;
    for (;;) {
      if (t.collapsed.has(rec.id)) return rec.li;
      t.buildKids(rec);
      if (rec.tailBtn) return rec.tailBtn;
      const last = rec.built && !rec.group.hidden ? t.recOf(rec.group.lastElementChild) : null;
      if (!last) return rec.li;
      rec = last;
    }
  }

  /** The stop after the whole subtree of `rec`. */
  #afterSubtree(rec: NodeRec): HTMLElement | null {
    const t = this.#t;
    for (;;) {
      const next = this.#sibling(rec, 1);
      if (next) return next;
      const prec = t.nodes.get(rec.parent);
      if (!prec) return null;
      if (prec.tailBtn) return prec.tailBtn;
      rec = prec;
    }
  }

  #nextStop(el: HTMLElement): HTMLElement | null {
    const rec = this.#t.recOf(el.closest("[data-comment-id]"));
    if (!rec) return null;
    if (el === rec.li) return this.#firstInside(rec) ?? this.#afterSubtree(rec);
    return this.#afterSubtree(rec); // from its continue/more button
  }

  #prevStop(el: HTMLElement): HTMLElement | null {
    const t = this.#t;
    const rec = t.recOf(el.closest("[data-comment-id]"));
    if (!rec) return null;
    if (el !== rec.li) {
      // from a button: the last reply above it, or the comment itself
      const last = rec.built && !rec.group.hidden ? t.recOf(rec.group.lastElementChild) : null;
      return last ? this.#lastStopIn(last) : rec.li;
    }
    const prev = this.#sibling(rec, -1);
    if (prev) {
      const prec = t.recOf(prev);
      return prec ? this.#lastStopIn(prec) : prev;
    }
    return t.nodes.get(rec.parent)?.li ?? null;
  }

  #firstStop(): HTMLElement | null {
    const t = this.#t;
    const id = t.topOrder()[0];
    return id === undefined ? null : (t.materialize(id)?.li ?? null);
  }

  #lastStop(): HTMLElement | null {
    const t = this.#t;
    const id = t.topOrder().at(-1);
    const rec = id === undefined ? null : t.materialize(id);
    return rec ? this.#lastStopIn(rec) : null;
  }

  onKey(e: KeyboardEvent, act: KeyActions): void {
    const t = this.#t;
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target as HTMLElement | null;
    if (!target || !t.el.contains(target)) return;
    const isItem = target.getAttribute("role") === "treeitem" && t.recOf(target) !== null;
    // The more/continue buttons are tree stops too; every other control keeps its keys.
    const isNavBtn =
      !isItem && target.tagName === "BUTTON" && target.parentElement?.classList.contains("tw-tail") === true;
    if (!isItem && !isNavBtn) return;
    const rec = t.recOf(target.closest("[data-comment-id]"));
    if (!rec) return;
    let to: HTMLElement | null | undefined;
    switch (e.key) {
      case "ArrowDown":
      case "j":
        to = this.#nextStop(target);
        break;
      case "ArrowUp":
      case "k":
        to = this.#prevStop(target);
        break;
      case "Home":
        to = this.#firstStop();
        break;
      case "End":
        to = this.#lastStop();
        break;
      case "ArrowRight":
        if (!isItem) return;
        if (t.collapsed.has(rec.id) && t.hasShownChildren(rec.id)) {
          toggleCollapse(t, rec, true);
          to = null;
        } else to = this.#firstInside(rec);
        break;
      case "ArrowLeft":
        if (isItem && !t.collapsed.has(rec.id) && t.hasShownChildren(rec.id)) {
          toggleCollapse(t, rec, true);
          to = null;
        } else to = isItem ? (t.nodes.get(rec.parent)?.li ?? null) : rec.li;
        break;
      case "Enter":
      case " ":
        if (!isItem) return; // a button activates itself
        if (t.hasShownChildren(rec.id)) toggleCollapse(t, rec, true);
        to = null;
        break;
      case "r":
        if (!isItem || act.readOnly() || !rec.card.querySelector('button[data-action="reply"]')) return;
        act.reply(rec);
        to = null;
        break;
      case "l":
        if (!isItem || act.readOnly() || !rec.card.querySelector('button[data-action="like"]')) return;
        act.like(rec);
        to = null;
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (to) this.focusStop(to);
  }
}
