/**
 * One comment's node in a tree: its elements (card, slot for a composer, group of replies, the
 * "more"/"continue" row) and what the tree keeps about it.
 */
import { ROOT } from "../state";
import type { Composer } from "../composer";
import { CONTINUE_DEPTH } from "../generated/constants";
import { h } from "./dom";

/**
 * Lazy limits (like Reddit): a reply chain is cut this many levels below its top-level comment
 * (the comment at that depth shows "Continue this thread →"; the count restarts below it).
 */
export { CONTINUE_DEPTH }; // the same number in Python's first screen (generated/constants.ts)

export interface NodeRec {
  id: string;
  li: HTMLLIElement;
  card: HTMLElement;
  slot: HTMLElement;
  group: HTMLUListElement;
  depth: number;
  /** parent comment id, or ROOT */
  parent: string;
  /** depth at which this node's "continue" count starts (1, or the depth below a continued cut) */
  base: number;
  /** children are built (or being built by a cursor) */
  built: boolean;
  /** child nodes in the DOM (the rest are behind "more") */
  kids: number;
  /** the "more" / "continue" row after the group, and its button */
  tail: HTMLElement;
  tailBtn: HTMLButtonElement | null;
  composer: Composer | null;
  composerKey: string | null;
}

/** A new node of `id` at `depth` under `parent` (null: top level), its elements not yet filled. */
export function nodeOf(id: string, depth: number, parent: NodeRec | null, maxIndent: number): NodeRec {
  const li = h("li", {
    class: "tw-comment",
    role: "treeitem",
    tabindex: -1,
    "data-comment-id": id,
    "aria-level": depth,
    "data-depth": depth,
  });
  if (depth > maxIndent) li.classList.add("tw-deep");
  const card = h("div", { class: "tw-card" });
  const slot = h("div", { class: "tw-slot" });
  const group = h("ul", { class: "tw-group", role: "group" });
  if (depth >= maxIndent) group.classList.add("tw-flat");
  const tail = h("div", { class: "tw-tail", hidden: true });
  if (depth >= maxIndent) tail.classList.add("tw-flat");
  li.append(card, slot, group, tail);
  // Below a continued cut point the "continue" count starts again.
  const base = !parent ? 1 : parent.depth - parent.base >= CONTINUE_DEPTH ? depth : parent.base;
  return {
    id,
    li,
    card,
    slot,
    group,
    depth,
    parent: parent ? parent.id : ROOT,
    base,
    built: false,
    kids: 0,
    tail,
    tailBtn: null,
    composer: null,
    composerKey: null,
  };
}
