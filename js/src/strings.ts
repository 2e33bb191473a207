/**
 * Every visible UI string, and the locale used for numbers and times, for one view.
 *
 * The one table of keys and English defaults is `src/threadwidget/strings.json` (Python reads
 * the same file to validate `w.strings`). Values may hold `{name}` placeholders; `{n}` is a number
 * formatted in the view's locale. A key `x` with siblings `x_one` (or `x_few`, `x_many`, … as the
 * table has them) is a count: the sibling of the number's plural category in the view's locale
 * (Intl.PluralRules), else `x`.
 */
import table from "../../src/threadwidget/strings.json";

export const DEFAULT_STRINGS: Readonly<Record<string, string>> = table;

export type Vars = Record<string, string | number>;

function safe<T>(make: () => T, fallback: () => T): T {
  try {
    return make();
  } catch {
    return fallback(); // an invalid locale tag: the page's locale
  }
}

export class Fmt {
  readonly locale: string | undefined;
  readonly #strings: Record<string, string>;
  #nf: Intl.NumberFormat | null = null;
  #rtf: Intl.RelativeTimeFormat | null = null;
  #dtf: Intl.DateTimeFormat | null = null;
  #pr: Intl.PluralRules | null = null;

  constructor(overrides: unknown = {}, locale: unknown = "") {
    this.locale = typeof locale === "string" && locale !== "" ? locale : undefined;
    const own: Record<string, string> = {};
    if (overrides && typeof overrides === "object") {
      for (const [k, v] of Object.entries(overrides as Record<string, unknown>)) {
        if (Object.hasOwn(DEFAULT_STRINGS, k) && typeof v === "string") own[k] = v;
      }
    }
    this.#strings = { ...DEFAULT_STRINGS, ...own };
  }

  /** The string of `key` with `{name}` placeholders filled (numbers in the locale). */
  t(key: string, vars: Vars = {}): string {
    const s = this.#strings[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (m, name: string) => {
      const v = vars[name];
      if (v === undefined) return m;
      return typeof v === "number" ? this.num(v) : v;
    });
  }

  /** The plural category of `n` in the view's locale ("one", "few", "other", …). */
  plural(n: number): Intl.LDMLPluralRule {
    this.#pr ??= safe(
      () => new Intl.PluralRules(this.locale),
      () => new Intl.PluralRules(),
    );
    return this.#pr.select(n);
  }

  /** The key of a count: `key_<category>` when the table has it (`key_one`, `key_few`, …), else `key`. */
  pluralKey(key: string, n: number): string {
    const cat = this.plural(n);
    const k = `${key}_${cat}`;
    return cat !== "other" && Object.hasOwn(this.#strings, k) ? k : key;
  }

  /** A count with `{n}`: the form of `key` for `n`'s plural category. */
  count(key: string, n: number, vars: Vars = {}): string {
    return this.t(this.pluralKey(key, n), { ...vars, n });
  }

  num(n: number): string {
    this.#nf ??= safe(
      () => new Intl.NumberFormat(this.locale),
      () => new Intl.NumberFormat(),
    );
    return this.#nf.format(n);
  }

  get rtf(): Intl.RelativeTimeFormat {
    this.#rtf ??= safe(
      () => new Intl.RelativeTimeFormat(this.locale, { numeric: "auto" }),
      () => new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }),
    );
    return this.#rtf;
  }

  get dtf(): Intl.DateTimeFormat {
    this.#dtf ??= safe(
      () => new Intl.DateTimeFormat(this.locale, { dateStyle: "medium", timeStyle: "short" }),
      () => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }),
    );
    return this.#dtf;
  }
}

/** The defaults in the page's locale (for code paths without a view). */
export const DEFAULT_FMT = new Fmt();
