/** Shared DOM helpers for the view tests (jsdom). */
import widget from "../src/widget";
import type { Snapshot } from "../src/protocol";
import { FakeModel, smallSnapshot } from "./fake-model";

export const cleanups: (() => void)[] = [];

export function cleanup(): void {
  while (cleanups.length) (cleanups.pop() as () => void)();
  document.body.replaceChildren();
}

export function mount(attrs: Record<string, unknown> = {}) {
  const model = new FakeModel({ _snapshot: smallSnapshot(), ...attrs });
  cleanups.push(widget.initialize({ model }));
  const el = document.createElement("div");
  document.body.append(el);
  cleanups.push(widget.render({ model, el }));
  const client = (model.sent[0] as { client: string }).client;
  return { model, el, client };
}

export function snap(comments: Snapshot["comments"], epoch = "t"): Snapshot {
  return { epoch, seq: 0, complete: true, post: smallSnapshot().post, comments };
}

export const q = <T extends Element = HTMLElement>(root: ParentNode, sel: string) => root.querySelector<T>(sel) as T;
export const item = (root: ParentNode, id: string) => q(root, `[data-comment-id="${id}"]`);
export const ids = (root: ParentNode, sel = "[data-comment-id]") =>
  Array.from(root.querySelectorAll<HTMLElement>(sel), (e) => e.dataset.commentId);
/** The comment ids directly under a comment's reply group. */
export const replies = (root: ParentNode, id: string) => ids(item(root, id), ":scope > .tw-group > [data-comment-id]");
/** The focused comment id, or a description of the focused element. */
export function focused(): string | undefined {
  const a = document.activeElement as HTMLElement | null;
  if (!a) return undefined;
  if (a.dataset.commentId) return a.dataset.commentId;
  const owner = a.closest<HTMLElement>("[data-comment-id]")?.dataset.commentId;
  return `${a.tagName.toLowerCase()}[${a.dataset.action ?? a.dataset.role ?? ""}]@${owner ?? ""}`;
}

export function click(el: Element): void {
  el.dispatchEvent(new MouseEvent("click", { bubbles: true }));
}
export function type(ta: HTMLTextAreaElement, text: string): void {
  ta.value = text;
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}
/** Dispatch a keydown on `el` (default: the focused element); returns the event. */
export function press(
  k: string,
  opts: KeyboardEventInit = {},
  el: Element | null = document.activeElement,
): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true, ...opts });
  (el as Element).dispatchEvent(e);
  return e;
}
export function tabStops(root: ParentNode): (string | undefined)[] {
  return ids(root, '[role="treeitem"][tabindex="0"]');
}
export async function idle(el: HTMLElement): Promise<void> {
  const root = q(el, ".tw-root");
  for (let i = 0; i < 20000 && root.dataset.state !== "idle"; i++) await new Promise((r) => setTimeout(r, 0));
}
