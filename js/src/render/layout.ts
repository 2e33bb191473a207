/**
 * Layouts as data (`w.layout`): the thread mapped to what a view shows — each comment's display
 * parent, its display children in order, its display depth (aria-level) and the mark above it.
 * The tree, its updates, keyboard navigation, windowing and search read the thread's structure
 * through a Shape only; no other module knows which layout it draws.
 *
 * - tree: the thread as it is (siblings in the sort).
 * - two-level: top-level comments in the sort; every deeper reply flattened under its top-level
 *   comment, oldest first, with "in reply to @name" when it answers another reply.
 * - flat: one stream of every comment in the sort (oldest first by default), each reply with a
 *   short plain-text quote of its parent that links to it.
 */
import type { Comment, Sort } from "../protocol";
import { LAYOUTS } from "../generated/constants";
import { walkUp } from "../mirror";
import { compareKeys } from "../ranking";
import { ROOT, type ThreadStore } from "../state";

export type LayoutName = (typeof LAYOUTS)[number];

/** What a card shows above its body: the parent it answers (null: nothing). */
export interface Mark {
  kind: "reply-to" | "quote";
  /** the parent comment's id (the link goes there) */
  parent: string;
  /** its author, or null when it is deleted or moderated (its text is not shown) */
  author: string | null;
  /** a short plain-text excerpt of its body ("" for reply-to, or when not shown) */
  excerpt: string;
}

/** Longest quote (characters) in the flat layout. */
export const QUOTE_CHARS = 140;

/** The layout named by `_config.layout`; anything else is the tree. */
export function layoutName(raw: unknown): LayoutName {
  return (LAYOUTS as readonly unknown[]).includes(raw) ? (raw as LayoutName) : "tree";
}

/** A body as one line of plain text, at most `max` characters (Markdown marks dropped). */
export function excerpt(body: string, max = QUOTE_CHARS): string {
  const text = body
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, " ")
    .replace(/^\s{0,3}(>|#{1,6}|[-*+]|\d+\.)\s+/gm, "")
    .replace(/[*_`~]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export class Shape {
  readonly layout: LayoutName;
  readonly #s: ThreadStore;

  constructor(layout: LayoutName, store: ThreadStore) {
    this.layout = layout;
    this.#s = store;
  }

  /** The display parent: the real one (tree), the top-level ancestor (two-level), none (flat). */
  parentOf(id: string): string | null {
    const p = this.#s.parentOf(id);
    if (this.layout === "tree" || p === null) return p;
    if (this.layout === "flat") return null;
    const chain = this.#s.ancestors(p);
    return chain[chain.length - 1];
  }

  /** Display ancestors of `parentId` (itself first), nearest first. */
  ancestors(parentId: string | null): string[] {
    return this.layout === "tree" ? this.#s.ancestors(parentId) : walkUp(parentId, (p) => this.parentOf(p));
  }

  /** 1 for a comment at the top of the display, 2 below it (aria-level). */
  depth(id: string): number {
    return this.ancestors(this.parentOf(id)).length + 1;
  }

  /** Display children of a comment (or ROOT), in no order, shown or not. */
  childIds(parent: string): string[] {
    const s = this.#s;
    if (this.layout === "tree") return s.childIds(parent);
    if (parent === ROOT) return this.layout === "flat" ? this.#below(ROOT) : s.childIds(ROOT);
    return this.layout === "two-level" && s.parentOf(parent) === null ? this.#below(parent) : [];
  }

  /** Every comment below `id`, depth first (iterative: any depth). */
  #below(id: string): string[] {
    const s = this.#s;
    const out: string[] = [];
    const stack = s.childIds(id).slice().reverse();
    while (stack.length) {
      const k = stack.pop() as string;
      out.push(k);
      const kids = s.childIds(k);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return out;
  }

  /** The sort siblings are ordered by: replies of the two-level layout are oldest first. */
  sortOf(parent: string, sort: Sort): Sort {
    return this.layout === "two-level" && parent !== ROOT ? "oldest" : sort;
  }

  /** Shown display children of a comment (or ROOT), in display order. */
  sortedChildren(parent: string, sort: Sort): string[] {
    if (this.layout === "tree") return this.#s.sortedChildren(parent, sort);
    const s = this.#s;
    const by = this.sortOf(parent, sort);
    return this.childIds(parent)
      .filter((id) => s.isShown(id))
      .map((id) => s.rankKey(id, s.display(id) as Comment, by))
      .sort((a, b) => compareKeys(a, b, by))
      .map((k) => k.id);
  }

  /** Compare two display siblings (negative: a first). */
  compare(a: string, b: string, sort: Sort): number {
    return this.#s.compare(a, b, this.sortOf(this.parentOf(a) ?? ROOT, sort));
  }

  /** While only a first screen is here: how many shown display children `id` has in the whole thread. */
  partialKids(id: string): number {
    const s = this.#s;
    if (this.layout === "tree" || s.complete) return s.partialKids(id);
    return this.childIds(id).length > 0 || s.partialKids(id) > 0 ? s.replyCount(id) : 0;
  }

  /** The comments whose mark names `id` (repainted when it changes: an edit, a moderation). */
  marking(id: string): string[] {
    return this.layout === "tree" ? [] : this.#s.childIds(id);
  }

  /** The mark above a comment's card: "in reply to" (two-level), a quote (flat), or null. */
  mark(id: string): Mark | null {
    const s = this.#s;
    const p = s.parentOf(id);
    if (this.layout === "tree" || p === null || p === this.parentOf(id)) return null;
    const c = s.display(p);
    const shown = c !== undefined && c.status === "visible";
    const author = shown ? c.author : null;
    const kind = this.layout === "flat" ? "quote" : "reply-to";
    return { kind, parent: p, author, excerpt: shown && kind === "quote" ? excerpt(c.body) : "" };
  }
}

/** The shape of `store` in the layout `_config.layout` names. */
export function shapeOf(raw: unknown, store: ThreadStore): Shape {
  return new Shape(layoutName(raw), store);
}
