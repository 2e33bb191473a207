/** Small DOM and formatting helpers shared by the renderers. */
import { DEFAULT_FMT, type Fmt } from "../strings";

type Attrs = Record<string, string | number | boolean | null | undefined>;

/** Create an element with attributes (null/false/undefined skipped) and text or child nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

export function button(action: string, label: string, text: string, extra: Attrs = {}): HTMLButtonElement {
  return h(
    "button",
    { type: "button", class: `tw-btn tw-btn-${action}`, "data-action": action, "aria-label": label, ...extra },
    text,
  );
}

/** The tag and data-* attributes of a control: what identifies it across a rebuild of its card. */
function controlKey(el: Element): string {
  // (not the attribute the view adds to whatever takes the focus: the rebuilt control lacks it)
  const data = Array.from(el.attributes, (a) =>
    a.name.startsWith("data-") && a.name !== "data-lm-suppress-shortcuts" ? `${a.name}=${a.value}` : "",
  );
  return `${el.tagName}|${data.filter(Boolean).join("|")}`;
}

/** After `root` was rebuilt, focus its control that stands for `old` (the one focused before), if any. */
export function refocus(root: Element, old: Element): void {
  const key = controlKey(old);
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("button"))) {
    if (controlKey(el) === key) return el.focus({ preventScroll: true });
  }
}

// ---- time ------------------------------------------------------------------------------

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 hours ago", "yesterday", "now" (Intl.RelativeTimeFormat, the view's locale). */
export function relativeTime(ts: number, now: number = Date.now(), fmt: Fmt = DEFAULT_FMT): string {
  const rtf = fmt.rtf;
  const diff = Math.round((ts - now) / 1000);
  const abs = Math.abs(diff);
  for (const [unit, secs] of UNITS) {
    if (abs >= secs) return rtf.format(Math.round(diff / secs), unit);
  }
  return abs < 45 ? rtf.format(0, "second") : rtf.format(Math.round(diff / 60), "minute");
}

export function absoluteTime(ts: number, fmt: Fmt = DEFAULT_FMT): string {
  return fmt.dtf.format(new Date(ts));
}

/**
 * A <time> element with machine datetime: relative text with the absolute time as tooltip, or
 * (`absolute`) the absolute time as text.
 */
export function timeEl(iso: string, cls = "tw-time", fmt: Fmt = DEFAULT_FMT, absolute = false): HTMLTimeElement {
  const ts = Date.parse(iso);
  const t = h("time", { class: cls, datetime: iso });
  if (Number.isNaN(ts)) {
    t.textContent = iso;
  } else if (absolute) {
    t.textContent = absoluteTime(ts, fmt);
  } else {
    t.dataset.ts = String(ts);
    t.textContent = relativeTime(ts, Date.now(), fmt);
    t.title = absoluteTime(ts, fmt);
  }
  return t;
}

/** Refresh the relative texts of every <time data-ts> below `root`. */
export function refreshTimes(root: ParentNode, fmt: Fmt = DEFAULT_FMT): void {
  const now = Date.now();
  for (const t of Array.from(root.querySelectorAll<HTMLTimeElement>("time[data-ts]"))) {
    const text = relativeTime(Number(t.dataset.ts), now, fmt);
    if (t.textContent !== text) t.textContent = text;
  }
}

// ---- avatars ---------------------------------------------------------------------------

export function initials(name: string): string {
  const words = name
    .trim()
    .split(/[\s._-]+/)
    .filter(Boolean);
  if (words.length === 0) return "?";
  const first = Array.from(words[0])[0] ?? "?";
  const second = words.length > 1 ? (Array.from(words[words.length - 1])[0] ?? "") : "";
  return (first + second).toUpperCase();
}

/** A stable hue for a name (FNV-1a hash). */
export function hueOf(name: string): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    x ^= name.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return (x >>> 0) % 360;
}

/** Initials on a colour from the name; with `url`, the picture over them (initials stay on error). */
export function avatar(name: string, cls = "tw-avatar", url: string | null = null): HTMLElement {
  const a = h("span", { class: cls, "aria-hidden": "true" }, initials(name));
  a.style.setProperty("--tw-avatar-hue", String(hueOf(name)));
  if (url) {
    const img = h("img", { class: "tw-avatar-img", src: url, alt: "", loading: "lazy", referrerpolicy: "no-referrer" });
    img.addEventListener("error", () => img.remove());
    a.append(img);
  }
  return a;
}

/**
 * Wrap every case-insensitive occurrence of `q` (lower case) in the text nodes below `root` in
 * <mark>. Works on text nodes only (never on HTML), so the text cannot inject markup.
 */
export function highlight(root: Element, q: string): number {
  if (!q) return 0;
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  let count = 0;
  for (const t of texts) {
    const s = t.data;
    const low = s.toLowerCase();
    // Some characters change length in lower case: offsets would not line up; skip those.
    if (low.length !== s.length) continue;
    let i = low.indexOf(q);
    if (i < 0) continue;
    const frag = doc.createDocumentFragment();
    let last = 0;
    while (i >= 0) {
      if (i > last) frag.append(s.slice(last, i));
      frag.append(h("mark", { class: "tw-mark" }, s.slice(i, i + q.length)));
      count++;
      last = i + q.length;
      i = low.indexOf(q, last);
    }
    if (last < s.length) frag.append(s.slice(last));
    t.replaceWith(frag);
  }
  return count;
}
