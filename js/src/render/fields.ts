/**
 * `w.fields` and `w.badges` on the cards: a comment's (or the post's) `extra` values shown as
 * text, a chip, a locale-formatted number or a 0..1 meter, and a badge after an author's name.
 *
 * The values come from notebooks and imported files: untrusted. They only ever become text nodes
 * (`h()` children, attributes), never HTML.
 */
import type { Config, FieldSpec, Json } from "../protocol";
import type { Fmt } from "../strings";
import { h } from "./dom";

/** Longest text a field shows (a long value is cut with an ellipsis; the title has it all). */
export const MAX_FIELD_CHARS = 120;

/** A JSON value as plain text: strings as they are, numbers in the locale, the rest as JSON. */
function textOf(v: Json, f: Fmt): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return f.num(v);
  return JSON.stringify(v);
}

function cut(s: string): string {
  return s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS - 1)}…` : s;
}

const num = (v: Json): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function percent(v: number, f: Fmt): string {
  try {
    return new Intl.NumberFormat(f.locale, { style: "percent", maximumFractionDigits: 0 }).format(v);
  } catch {
    return `${Math.round(v * 100)}%`;
  }
}

/** One field, or null when the value is missing or cannot be shown in this kind. */
function field(spec: FieldSpec, v: Json, f: Fmt): HTMLElement | null {
  const attrs = { class: `tw-field tw-field-${spec.kind}`, "data-field": spec.key, "data-kind": spec.kind };
  const label = h("span", { class: "tw-field-label" }, spec.label);
  switch (spec.kind) {
    case "badge": {
      const text = textOf(v, f);
      // the chip shows the value; the label is read out (and shown on hover) before it
      return h(
        "span",
        { ...attrs, title: `${spec.label}: ${text}` },
        h("span", { class: "tw-sr" }, `${spec.label}: `),
        cut(text),
      );
    }
    case "number": {
      const n = num(v);
      return n === null ? null : h("span", attrs, label, h("span", { class: "tw-field-value" }, f.num(n)));
    }
    case "bar": {
      const n = num(v);
      if (n === null) return null;
      const x = Math.min(1, Math.max(0, n));
      const fill = h("span", { class: "tw-meter-fill" });
      fill.style.width = `${x * 100}%`;
      const meter = h(
        "span",
        {
          class: "tw-meter",
          role: "meter",
          "aria-label": spec.label,
          "aria-valuemin": 0,
          "aria-valuemax": 1,
          "aria-valuenow": x,
          "aria-valuetext": percent(x, f),
          title: `${spec.label}: ${percent(x, f)}`,
        },
        fill,
      );
      return h("span", attrs, label, meter);
    }
    default: {
      const text = textOf(v, f);
      return h(
        "span",
        { ...attrs, title: text.length > MAX_FIELD_CHARS ? text : null },
        label,
        h("span", { class: "tw-field-value" }, cut(text)),
      );
    }
  }
}

/** The fields of one comment or post, in the order of `w.fields`; null when none shows. */
export function renderFields(
  extra: Record<string, Json> | undefined,
  specs: FieldSpec[] | undefined,
  f: Fmt,
): HTMLElement | null {
  if (!extra || !specs || specs.length === 0) return null;
  const items: HTMLElement[] = [];
  for (const spec of specs) {
    if (!Object.hasOwn(extra, spec.key)) continue;
    const v = extra[spec.key];
    if (v === null || v === undefined) continue;
    const el = field(spec, v, f);
    if (el) items.push(el);
  }
  if (items.length === 0) return null;
  return h(
    "div",
    { class: "tw-fields", "data-role": "fields", role: "group", "aria-label": f.t("fields_group") },
    ...items,
  );
}

/** The `w.badges` badge of an author ("bot", "teacher"), or null. */
export function authorBadge(author: string, cfg: Partial<Config>): HTMLElement | null {
  const badges = cfg.badges;
  if (!badges || !Object.hasOwn(badges, author)) return null;
  const text = badges[author];
  if (typeof text !== "string" || text === "") return null;
  return h("span", { class: "tw-badge tw-user-badge", "data-role": "user-badge" }, text);
}
