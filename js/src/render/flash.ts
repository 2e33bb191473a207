/**
 * The short highlight of a comment focused from Python (`w.focus(id)`, `selected`), kept on screen
 * while it lasts: a scroll the reader did not make (the notebook scrolling to its active cell after
 * the `w.focus` cell ran) brings it back, once the windowed tree has built and measured around it.
 */

/** How long a focused comment stays highlighted (ms). */
export const FOCUS_FLASH_MS = 2500;

/** Events that mean the reader moves the page: the jump is theirs to undo. */
const READER = ["wheel", "touchstart", "pointerdown", "keydown"] as const;

/** One highlighted comment at a time: a new one takes the highlight from the last. */
export class Flash {
  #el: HTMLElement | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #frame: number | null = null;
  #again: (() => void) | null = null;
  readonly #onScroll = (): void => {
    if (this.#frame !== null || typeof requestAnimationFrame !== "function") return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = null;
      const el = this.#el;
      if (el && this.#again && !inView(el)) this.#again();
    });
  };
  readonly #onReader = (): void => this.#unwatch();

  /** Highlight `el`; `again` jumps back to it when a scroll not made by the reader takes it off screen. */
  show(el: HTMLElement, again?: () => void): void {
    this.dispose();
    el.classList.add("tw-focused");
    this.#el = el;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#unwatch();
      this.#el?.classList.remove("tw-focused");
      this.#el = null;
    }, FOCUS_FLASH_MS);
    if (!again) return;
    this.#again = again;
    const doc = el.ownerDocument;
    doc.addEventListener("scroll", this.#onScroll, { capture: true, passive: true });
    for (const t of READER) doc.addEventListener(t, this.#onReader, { capture: true, passive: true });
  }

  /** The highlighted element now (a rebuild made a new one). */
  moved(el: HTMLElement): void {
    this.#el?.classList.remove("tw-focused");
    el.classList.add("tw-focused");
    this.#el = el;
  }

  #unwatch(): void {
    const doc = this.#el?.ownerDocument;
    this.#again = null;
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#frame = null;
    if (!doc) return;
    doc.removeEventListener("scroll", this.#onScroll, { capture: true });
    for (const t of READER) doc.removeEventListener(t, this.#onReader, { capture: true });
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unwatch();
    this.#el?.classList.remove("tw-focused");
    this.#el = null;
  }
}

/** Whether any of `el` is inside the window (a scroller inside it clips further; the window is what matters here). */
function inView(el: HTMLElement): boolean {
  const r = el.getBoundingClientRect();
  const h = el.ownerDocument.defaultView?.innerHeight ?? 0;
  return el.isConnected && r.height > 0 && r.bottom > 0 && r.top < h;
}
