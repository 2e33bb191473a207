/**
 * What a reader does to the tree's shape: collapse or expand a comment, "Show N more replies",
 * "Continue this thread". Each builds what it reveals at once and moves focus where the reader
 * expects it (render/tree.ts builds; render/updates.ts paints).
 */
import { MORE_BATCH, SYNC } from "./tree";
import type { NodeRec, Tree } from "./tree";
import { paint } from "./updates";

/** Collapse or expand; focus goes to the collapse button (mouse) or stays on the item (keyboard). */
export function toggleCollapse(t: Tree, rec: NodeRec, fromKeyboard = false): void {
  if (t.collapsed.has(rec.id)) {
    t.collapsed.delete(rec.id);
    if (!rec.built && t.shouldBuild(rec)) {
      t.startKids(rec);
      t.pump(SYNC);
    }
  } else {
    t.collapsed.add(rec.id);
    // the tab stop must not hide inside the collapsed replies
    if (t.tabStopEl && rec.group.contains(t.tabStopEl)) {
      const hadFocus = t.tabStopEl.contains(document.activeElement);
      t.active = rec.id;
      t.nav.setTabStop(rec.li);
      if (hadFocus) rec.li.focus({ preventScroll: true });
    }
  }
  paint(t, rec);
  if (fromKeyboard) rec.li.focus({ preventScroll: true });
  else rec.card.querySelector<HTMLElement>('button[data-action="collapse"]')?.focus();
}

/** "Show N more replies": build the next batch; focus moves to the first new reply (the button moves on). */
export function showMore(t: Tree, rec: NodeRec): void {
  const before = new Set(Array.from(rec.group.children, (li) => (li as HTMLElement).dataset.commentId));
  t.shared.revealed.set(rec.id, rec.kids + MORE_BATCH);
  t.dropCursor(rec.id);
  t.startKids(rec);
  t.pump(SYNC);
  t.buildKids(rec);
  const first = Array.from(rec.group.children).find((li) => !before.has((li as HTMLElement).dataset.commentId));
  if (first) t.nav.focusStop(first as HTMLElement);
}

/** "Continue this thread": build the replies below a cut point in place; focus its first reply. */
export function continueThread(t: Tree, rec: NodeRec): void {
  t.shared.continued.add(rec.id);
  if (!rec.built && t.shouldBuild(rec)) {
    t.startKids(rec);
    t.pump(SYNC);
  }
  paint(t, rec);
  t.buildKids(rec);
  const first = rec.group.firstElementChild as HTMLElement | null;
  if (first) t.nav.focusStop(first);
}
