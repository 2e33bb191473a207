/**
 * The only place where HTML enters the page. The kernel renders each body's Markdown
 * (markdown-it-py, raw HTML escaped) and sends it as `html`; here every such string goes through
 * a strict DOMPurify pass. Everything else sets text with textContent.
 */
import DOMPurify from "dompurify";

type Purifier = ReturnType<typeof DOMPurify>;

const ALLOWED_TAGS = [
  "p",
  "br",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "em",
  "b",
  "i",
  "del",
  "s",
  "sub",
  "sup",
  "code",
  "pre",
  "kbd",
  "blockquote",
  "ul",
  "ol",
  "li",
  "a",
  "img",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
];
const ALLOWED_ATTR = ["href", "title", "alt", "src", "start", "align", "colspan", "rowspan"];

const SAFE_LINK = /^(?:https?:|mailto:)/i;
const SAFE_IMG = /^(?:https?:|data:image\/(?:png|gif|jpe?g|webp|avif|bmp|svg\+xml)[;,])/i;

let purifier: Purifier | null = null;

function getPurifier(): Purifier {
  if (purifier) return purifier;
  // A private instance, so our hooks never leak into other users of DOMPurify on the page.
  const p = DOMPurify(window);
  p.addHook("afterSanitizeAttributes", (node) => {
    const el = node;
    if (el.nodeName === "A") {
      const href = el.getAttribute("href");
      if (href !== null && !SAFE_LINK.test(href.trim())) el.removeAttribute("href");
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer nofollow");
    } else if (el.nodeName === "IMG") {
      const src = el.getAttribute("src");
      if (src === null || !SAFE_IMG.test(src.trim())) {
        el.removeAttribute("src");
      }
      el.setAttribute("loading", "lazy");
      el.setAttribute("referrerpolicy", "no-referrer");
    }
  });
  // Parse the configuration once (sanitize() without a config reuses it).
  p.setConfig(PURIFY_CONFIG);
  purifier = p;
  return p;
}

const PURIFY_CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  FORBID_TAGS: [
    "style",
    "script",
    "iframe",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "object",
    "embed",
    "svg",
    "math",
    "link",
    "meta",
    "base",
  ],
  FORBID_ATTR: ["style", "class", "id", "name"],
  KEEP_CONTENT: true,
};

/** Sanitise an HTML string with the strict configuration. */
export function sanitizeHtml(html: string): string {
  return getPurifier().sanitize(html);
}

const cache = new Map<string, string>();
const CACHE_MAX = 5000;

/** Kernel-rendered HTML -> sanitised HTML string (cached: threads repeat short bodies). */
export function cleanHtml(html: string): string {
  const hit = cache.get(html);
  if (hit !== undefined) return hit;
  // The kernel's plain paragraph (no markup: no <, > or & but &quot;) needs no sanitiser.
  const clean = /^<p>(?:[^<>&]|&quot;)*<\/p>$/.test(html) ? html : sanitizeHtml(html);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(html, clean);
  return clean;
}

/**
 * Show a body: the kernel's HTML, sanitised (the one sanctioned innerHTML write); or, while the
 * kernel has not rendered it yet (an own comment or edit being sent), the source as plain text.
 */
export function setBody(el: Element, html: string | null | undefined, source: string): void {
  if (typeof html === "string") {
    el.innerHTML = cleanHtml(html);
    return;
  }
  el.replaceChildren();
  for (const para of (source ?? "").split(/\n{2,}/)) {
    if (!para.trim()) continue;
    const p = document.createElement("p");
    p.textContent = para;
    p.style.whiteSpace = "pre-wrap";
    el.append(p);
  }
}

/** A URL usable as a link target (http, https, mailto) or null. */
export function safeLinkUrl(url: string): string | null {
  const u = url.trim();
  return SAFE_LINK.test(u) ? u : null;
}

/** A URL usable as an image source (http, https, data:image) or null. */
export function safeImageUrl(url: string): string | null {
  const u = url.trim();
  return SAFE_IMG.test(u) ? u : null;
}
