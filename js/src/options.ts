/** Layout options (`w.options`, validated in Python); anything unexpected falls back to the default. */
export interface Options {
  max_indent: number;
  density: "comfortable" | "compact";
  avatars: "initials" | "none";
  timestamps: "relative" | "absolute";
  /** comments at this depth (1 = top level) start with their replies collapsed; null: none */
  collapsed_depth: number | null;
}

export const DEFAULT_OPTIONS: Readonly<Options> = {
  max_indent: 6,
  density: "comfortable",
  avatars: "initials",
  timestamps: "relative",
  collapsed_depth: null,
};

const posInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;

export function parseOptions(raw: unknown): Options {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const d = DEFAULT_OPTIONS;
  return {
    max_indent: posInt(o.max_indent) ? o.max_indent : d.max_indent,
    density: o.density === "compact" ? "compact" : d.density,
    avatars: o.avatars === "none" ? "none" : d.avatars,
    timestamps: o.timestamps === "absolute" ? "absolute" : d.timestamps,
    collapsed_depth: posInt(o.collapsed_depth) ? o.collapsed_depth : null,
  };
}
