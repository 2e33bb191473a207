/** What a view reads from its widget model (render/view.ts); a replay swaps in a read-only copy. */
import type { Config, Sort } from "../protocol";
import type { ThreadStore } from "../state";
import type { Fmt } from "../strings";
import type { Options } from "../options";

export interface ViewContext {
  store: ThreadStore;
  sort(): Sort;
  setSort(s: Sort): void;
  readOnly(): boolean;
  maxBody(): number;
  /** strings and locale (`w.strings`, `w.locale`) */
  fmt(): Fmt;
  /** layout options (`w.options`) */
  options(): Options;
  /** extra CSS (`w.css`) */
  css(): string;
  /** the kernel's rules for this user: role, voting, label set, fields, actions, badges */
  config(): Partial<Config>;
  /** the user selected a comment in this view (a click or keyboard focus); optional */
  select?(id: string): void;
}
