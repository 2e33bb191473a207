import * as C from "./generated/constants";

/** Layout options (`w.options`, validated in Python); anything unexpected falls back to the default. */
export interface Options {
  max_indent: number;
  density: "comfortable" | "compact";
  /** initials, none, or an https image URL template with `{author}` (initials while loading or on error) */
  avatars: string;
  timestamps: "relative" | "absolute";
  /** comments at this depth (1 = top level) start with their replies collapsed; null: none */
  collapsed_depth: number | null;
  /** which counts show: like/vote/reaction counts, "N replies" on collapsed comments, the total */
  counts: readonly CountKind[];
  /** the comment tree scrolls in a box this tall (CSS pixels, >= 120); null: it grows with the thread */
  max_height: number | null;
}

export type CountKind = (typeof C.COUNT_KINDS)[number];
const COUNT_KINDS: readonly CountKind[] = C.COUNT_KINDS;

/** The defaults, as Python's page/settings.py DEFAULT_OPTIONS has them. */
export const DEFAULT_OPTIONS: Readonly<Options> = C.DEFAULT_OPTIONS;
/** The smallest `max_height` (settings.py MIN_HEIGHT). */
export const MIN_HEIGHT = C.MIN_HEIGHT;

/** The image URL of `name`'s avatar for a template option, or null (initials). */
export function avatarUrl(opts: Options, name: string): string | null {
  const t = opts.avatars;
  return t.startsWith("https://") && t.includes("{author}") ? t.split("{author}").join(encodeURIComponent(name)) : null;
}

const posInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;

export function parseOptions(raw: unknown): Options {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const d = DEFAULT_OPTIONS;
  return {
    max_indent: posInt(o.max_indent) ? o.max_indent : d.max_indent,
    density: o.density === "compact" ? "compact" : d.density,
    avatars:
      o.avatars === "none" || (typeof o.avatars === "string" && /^https:\/\/\S*\{author\}/.test(o.avatars))
        ? o.avatars
        : d.avatars,
    timestamps: o.timestamps === "absolute" ? "absolute" : d.timestamps,
    collapsed_depth: posInt(o.collapsed_depth) ? o.collapsed_depth : null,
    counts: Array.isArray(o.counts) ? COUNT_KINDS.filter((k) => (o.counts as unknown[]).includes(k)) : d.counts,
    max_height: posInt(o.max_height) && o.max_height >= MIN_HEIGHT ? o.max_height : null,
  };
}
