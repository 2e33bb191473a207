/**
 * Keyed updates of a Tree: a change names comments; only their nodes are repainted, inserted at
 * their sorted place or removed. Also the per-node tree chrome (expanded state, the
 * "more"/"continue" row, search marks).
 */
import { ROOT } from "../state";
import { button, highlight } from "./dom";
import { cardLabel } from "./moderation";
import { SYNC, type NodeRec, type Tree } from "./tree";

/** Repaint one node: its tree state, then its card (by the view), then search marks and its tail. */
export function paint(t: Tree, rec: NodeRec): void {
  const store = t.store;
  const c = store.display(rec.id);
  if (!c) return;
  const hasChildren = t.hasShownChildren(rec.id);
  const collapsed = t.collapsed.has(rec.id) && hasChildren;
  const pending = store.isPending(rec.id);
  rec.li.dataset.status = c.status;
  if (pending) rec.li.dataset.pending = "true";
  else delete rec.li.dataset.pending;
  if (hasChildren) rec.li.setAttribute("aria-expanded", collapsed ? "false" : "true");
  else rec.li.removeAttribute("aria-expanded");
  rec.li.classList.toggle("tw-is-collapsed", collapsed);
  rec.group.hidden = collapsed || !hasChildren;
  rec.li.setAttribute("aria-label", cardLabel(c, store.role === "moderator", t.host.fmt()));
  t.host.card(rec, t);
  const s = t.search;
  rec.li.classList.toggle("tw-context", s !== null && !s.matches.has(rec.id));
  if (s && s.query && s.matches.has(rec.id)) {
    // On the text nodes of the sanitised card, never on HTML: nothing can be injected.
    const body = rec.card.querySelector('[data-role="body"]');
    if (body) highlight(body, s.query);
    const author = rec.card.querySelector(".tw-author");
    if (author) highlight(author, s.query);
  }
  updateTail(t, rec);
}

/**
 * The row after a comment's replies: "Continue this thread →" at a cut point, "Show N more
 * replies" while some replies are not built, else nothing. The button is updated in place so
 * that it keeps focus when a count changes.
 */
export function updateTail(t: Tree, rec: NodeRec): void {
  const store = t.store;
  const fmt = t.host.fmt();
  let kind: "more" | "continue" | null = null;
  let text = "";
  let label = "";
  const open = !t.collapsed.has(rec.id) && t.hasShownChildren(rec.id);
  if (open && !rec.built && t.isCut(rec)) {
    kind = "continue";
    text = fmt.t("continue");
    label = fmt.count("continue_label", store.replyCount(rec.id));
  } else if (open && rec.built && !t.hasCursor(rec.id)) {
    let shown = 0;
    for (const k of t.shape.childIds(rec.id)) if (t.shown(k)) shown++;
    // a first-screen snapshot lacks the replies it did not send: its counts say how many
    if (!t.search) shown = Math.max(shown, t.shape.partialKids(rec.id));
    const hidden = shown - rec.kids;
    if (hidden > 0) {
      kind = "more";
      text = fmt.count("more_replies", hidden);
      label = text;
    }
  }
  if (kind === null) {
    if (rec.tailBtn) {
      const hadFocus = rec.tailBtn === rec.li.ownerDocument.activeElement;
      rec.tail.replaceChildren();
      rec.tailBtn = null;
      if (hadFocus) rec.li.focus({ preventScroll: true });
    }
    rec.tail.hidden = true;
    return;
  }
  let btn = rec.tailBtn;
  if (!btn || btn.dataset.action !== kind) {
    btn = button(kind, label, text, { class: `tw-btn tw-btn-${kind}` });
    const hadFocus = rec.tailBtn !== null && rec.tailBtn === rec.li.ownerDocument.activeElement;
    rec.tail.replaceChildren(btn);
    rec.tailBtn = btn;
    if (hadFocus) btn.focus({ preventScroll: true });
  } else {
    if (btn.textContent !== text) btn.textContent = text;
    if (btn.getAttribute("aria-label") !== label) btn.setAttribute("aria-label", label);
  }
  rec.tail.hidden = false;
}

/** Refresh comments parents first. */
export function refreshIds(t: Tree, list: Iterable<string>): void {
  const named = [...list];
  for (const id of [...named]) named.push(...t.shape.marking(id)); // their quotes and marks name it
  const ids = [...new Set(named)].map((id) => ({ id, d: t.shape.depth(id) })).sort((a, b) => a.d - b.d);
  for (const { id } of ids) refresh(t, id);
}

/** One comment changed: repaint, move, insert or remove its node. */
export function refresh(t: Tree, id: string): void {
  const rec = t.nodes.get(id);
  const shown = t.shown(id);
  if (rec && !shown) {
    if (rec.parent === ROOT) t.win?.removed(id);
    t.removeNode(rec);
    return;
  }
  if (rec) {
    paint(t, rec);
    ensurePosition(t, rec);
    if (!rec.built && t.shouldBuild(rec)) {
      t.startKids(rec);
      t.pump(SYNC);
    }
    return;
  }
  const parent = t.shape.parentOf(id);
  const w = t.win;
  if (parent === null && w && w.indexOf(id) >= 0) {
    // windowed, a top-level thread not built: nothing to draw unless it left the tree
    if (!shown) w.removed(id);
    return;
  }
  if (!shown) return;
  let prec: NodeRec | null = null;
  if (parent !== null) {
    prec = t.nodes.get(parent) ?? null;
    if (!prec || !prec.built) return; // not on screen yet; built with its parent later
    if (!admits(t, prec, id)) {
      updateTail(t, prec); // behind "Show N more replies": the count says so
      return;
    }
  } else if (!t.admitsTop(id)) return; // windowed: drawn when scrolled to
  const nrec = t.addNode(id, prec);
  if (nrec.built) t.pump(SYNC);
}

/**
 * Does a new reply to a built comment get a node now? Yes while the comment shows fewer
 * replies than its cap, for own comments (never hidden from their author), and when it sorts
 * among the replies already shown (the cap grows: nothing shown disappears). Otherwise it
 * waits behind "Show N more replies".
 */
function admits(t: Tree, prec: NodeRec, id: string): boolean {
  const cap = t.capOf(prec);
  if (prec.kids < cap) return true;
  const last = prec.group.lastElementChild as HTMLElement | null;
  const own = t.store.isUnconfirmed(id);
  if (own || (last && t.shape.compare(id, last.dataset.commentId ?? "", t.sort) < 0)) {
    t.shared.revealed.set(prec.id, prec.kids + 1);
    return true;
  }
  return false;
}

function ensurePosition(t: Tree, rec: NodeRec): void {
  const store = t.shape;
  const prev = rec.li.previousElementSibling as HTMLElement | null;
  const next = rec.li.nextElementSibling as HTMLElement | null;
  const s = t.sort;
  const bad =
    (prev && store.compare(prev.dataset.commentId ?? "", rec.id, s) > 0) ||
    (next && store.compare(rec.id, next.dataset.commentId ?? "", s) > 0);
  if (!bad) return;
  const group = rec.li.parentElement;
  if (!group) return;
  if (rec.parent === ROOT && t.win) {
    // windowed: its place in the order moves too; outside the built range it goes
    t.win.removed(rec.id);
    if (!t.admitsTop(rec.id)) {
      t.removeNode(rec, false);
      return;
    }
  }
  rec.li.remove();
  t.place(rec.li, rec.id, group);
}
