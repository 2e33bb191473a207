/** The short highlight of a comment focused from Python (`w.focus(id)`, `selected`). */

/** How long a focused comment stays highlighted (ms). */
export const FOCUS_FLASH_MS = 2500;

/** One highlighted comment at a time: a new one takes the highlight from the last. */
export class Flash {
  #el: HTMLElement | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  show(el: HTMLElement): void {
    this.dispose();
    el.classList.add("tw-focused");
    this.#el = el;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#el?.classList.remove("tw-focused");
      this.#el = null;
    }, FOCUS_FLASH_MS);
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#el?.classList.remove("tw-focused");
    this.#el = null;
  }
}
