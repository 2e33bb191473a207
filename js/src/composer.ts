/**
 * An inline composer: textarea, character counter, submit and cancel buttons, error line.
 * Ctrl/Cmd+Enter submits, Esc cancels. Empty or too-long bodies are refused locally.
 */
import { DEFAULT_FMT, type Fmt } from "./strings";
import { button, h } from "./render/dom";

export interface ComposerOptions {
  /** a stable key, e.g. "new", "reply:c1", "edit:c1" */
  key: string;
  label: string;
  placeholder: string;
  submitText: string;
  text?: string;
  error?: string | null;
  maxBody: () => number;
  /** return false to keep the composer as is (nothing sent) */
  onSubmit: (body: string) => void;
  onCancel: () => void;
  onInput: (text: string) => void;
  /** why nothing can be sent now (no kernel): the text stays, the reason is shown */
  blocked?: () => string | null;
  /** hide the cancel button (the top-level composer clears instead) */
  cancelText?: string;
  /** the view's strings and locale */
  fmt?: Fmt;
}

export class Composer {
  readonly el: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  readonly errorEl: HTMLElement;
  private counter: HTMLElement;
  private submitBtn: HTMLButtonElement;

  private fmt: Fmt;

  constructor(private opts: ComposerOptions) {
    const f = (this.fmt = opts.fmt ?? DEFAULT_FMT);
    const id = `tw-c-${Math.random().toString(36).slice(2, 9)}`;
    this.textarea = h("textarea", {
      class: "tw-textarea",
      "data-role": "composer",
      rows: 3,
      placeholder: opts.placeholder,
      "aria-label": opts.label,
      "aria-describedby": `${id}-err ${id}-count`,
    });
    this.textarea.value = opts.text ?? "";
    this.counter = h("span", { class: "tw-counter", id: `${id}-count`, "aria-live": "polite" });
    this.errorEl = h("div", { class: "tw-error", "data-role": "error", id: `${id}-err`, role: "alert" });
    this.submitBtn = button("submit", opts.submitText, opts.submitText, { class: "tw-btn tw-btn-primary" });
    const cancel = button("cancel", opts.cancelText ?? f.t("cancel"), opts.cancelText ?? f.t("cancel"));
    this.el = h(
      "div",
      { class: "tw-composer", "data-composer": opts.key },
      this.textarea,
      this.errorEl,
      h(
        "div",
        { class: "tw-composer-bar" },
        h("span", { class: "tw-hint" }, f.t("composer_hint")),
        this.counter,
        cancel,
        this.submitBtn,
      ),
    );
    this.setError(opts.error ?? null);
    this.updateCounter();

    this.textarea.addEventListener("input", () => {
      this.updateCounter();
      if (this.errorEl.textContent) this.setError(null);
      this.opts.onInput(this.textarea.value);
    });
    this.textarea.addEventListener("keydown", (e) => {
      // Keep notebook shortcuts (Esc, Ctrl+Enter, …) from acting on keys typed here.
      e.stopPropagation();
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.submit();
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.opts.onCancel();
      }
    });
    this.submitBtn.addEventListener("click", () => this.submit());
    cancel.addEventListener("click", () => this.opts.onCancel());
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(v: string) {
    this.textarea.value = v;
    this.updateCounter();
  }

  focus(): void {
    this.textarea.focus();
  }

  setError(msg: string | null): void {
    this.errorEl.textContent = msg ?? "";
    this.errorEl.hidden = !msg;
    this.el.classList.toggle("tw-has-error", !!msg);
  }

  /** Validate locally, then hand the body to onSubmit. */
  submit(): void {
    const body = this.textarea.value;
    const blocked = this.opts.blocked?.() ?? null;
    if (blocked !== null) {
      this.setError(blocked);
      return;
    }
    const max = this.opts.maxBody();
    if (body.trim() === "") {
      this.setError(this.fmt.t("empty_body"));
      return;
    }
    if (body.length > max) {
      this.setError(this.fmt.t("too_long", { n: body.length, max }));
      return;
    }
    this.setError(null);
    this.opts.onSubmit(body);
  }

  /** Re-read the limit (after `_config` changed). */
  refresh(): void {
    this.updateCounter();
  }

  private updateCounter(): void {
    const n = this.textarea.value.length;
    const max = this.opts.maxBody();
    this.counter.textContent = `${this.fmt.num(n)} / ${this.fmt.num(max)}`;
    this.counter.classList.toggle("tw-over", n > max);
  }
}
