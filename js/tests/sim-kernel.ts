/**
 * A kernel for tests of the real `ThreadStore`: its decisions come from the Python engine
 * (tests/oracle.py), its transport follows docs/protocol.md's kernel rules (events broadcast with
 * the request's rid, catch-up or snapshot parts for a `sync`, confirmed request ids per client).
 * Every page has an inbox the test delivers, loses, duplicates or reorders.
 */
import { ThreadStore } from "../src/state";
import type { RejectNotice } from "../src/state";
import type { Comment, Event, IncomingMsg, Op, OutgoingMsg, Post, Role, WireComment } from "../src/protocol";
import { normComment } from "../src/protocol";
import type { OracleAnswer } from "./oracle";

export interface Page {
  name: string;
  user: string;
  store: ThreadStore;
  inbox: IncomingMsg[];
  notices: RejectNotice[];
  /** rid -> index of the oracle step it asked for */
  steps: Map<string, number>;
}

/** Comments by id, each complete (`normComment`), for comparing mirrors with Python's thread. */
export function byId(comments: Iterable<WireComment>): Record<string, Comment> {
  const out: Record<string, Comment> = {};
  for (const c of comments) out[c.id] = normComment(c);
  return out;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export class SimKernel {
  seq = 0;
  /** the applied events in seq order (index = seq - 1) */
  readonly log: { rid: string | null; event: Event }[] = [];
  readonly confirmed = new Map<string, string[]>();
  readonly pages: Page[] = [];
  /** everything the kernel sent, in order */
  readonly sent: IncomingMsg[] = [];
  /** the oracle step being decided (the test sets it before a page submits) */
  step = 0;
  /** the clock of the pages' stores (the test sets it to the step's time) */
  now = new Date(0);
  #reloads = 0;

  constructor(
    readonly answer: OracleAnswer,
    readonly epoch: string,
    readonly parts = { events: 4, comments: 3 },
  ) {}

  /** A page (a new comm) for `user`: loads the `_snapshot` trait, then asks for what it missed. */
  open(name: string, user: string, role: Role = "participant"): Page {
    const client = `${name}r${this.#reloads++}`;
    const page: Page = { name, user, store: null as unknown as ThreadStore, inbox: [], notices: [], steps: new Map() };
    page.store = new ThreadStore({
      send: (m) => this.#receive(page, m),
      client,
      user,
      now: () => this.now,
      staleAfterMs: 0,
    });
    page.store.role = role;
    page.store.onReject((n) => page.notices.push(n));
    const at = this.pages.findIndex((p) => p.name === name);
    if (at >= 0) this.pages[at] = page;
    else this.pages.push(page);
    page.store.load(clone(this.answer.snapshot));
    page.store.requestSync(true);
    return page;
  }

  /** A Python call (oracle step `step`): broadcast its event, if it was accepted. */
  python(step: number): void {
    const result = this.answer.results[step];
    if (result?.kind === "event") this.#commit(result.rid, result.event, result.seq);
  }

  /** Submit an operation from a page as oracle step `step`; returns its rid. */
  submit(page: Page, op: Op, step: number): string {
    this.step = step;
    return page.store.submit(op);
  }

  /** Deliver the first `count` messages of a page's inbox. */
  deliver(page: Page, count = Infinity): void {
    for (let i = 0; i < count && page.inbox.length; i++) page.store.handleMessage(page.inbox.shift() as IncomingMsg);
  }

  /** Deliver everything to everyone, until nothing is in flight. */
  flush(): void {
    while (this.pages.some((p) => p.inbox.length)) for (const p of this.pages) this.deliver(p);
  }

  /** The thread as Python holds it at `seq`. */
  at(seq: number): { post: Post; comments: Record<string, Comment> } {
    const s = this.answer.states[seq];
    if (!s) throw new Error(`no state at seq ${seq}`);
    return { post: s.post, comments: byId(s.comments) };
  }

  #receive(page: Page, msg: OutgoingMsg): void {
    if (msg.kind === "op") {
      page.steps.set(msg.rid, this.step);
      const result = this.answer.results[this.step];
      if (!result) throw new Error(`no oracle answer for step ${this.step}`);
      if (result.kind === "event") this.#commit(msg.rid, result.event, result.seq);
      else this.#broadcast({ ...result, rid: msg.rid });
    } else if (msg.kind === "sync") {
      this.#answerSync(msg.client, msg.rid ?? null, msg.epoch ?? "", msg.seq ?? 0);
    }
  }

  #commit(rid: string | null, event: Event, seq: number): void {
    this.seq++;
    if (seq !== this.seq) throw new Error(`oracle seq ${seq}, kernel seq ${this.seq}`);
    this.log.push({ rid, event });
    if (rid !== null) {
      const client = rid.slice(0, rid.lastIndexOf("-"));
      const list = this.confirmed.get(client) ?? [];
      list.push(rid);
      this.confirmed.set(client, list.slice(-200));
    }
    this.#broadcast({ kind: "event", epoch: this.epoch, seq, rid, event });
  }

  /** Kernel rule 2: a snapshot for a foreign epoch or a view too far behind, else catch-up parts. */
  #answerSync(client: string, rid: string | null, epoch: string, seq: number): void {
    const missed = this.log.length - seq;
    const comments = this.answer.states[this.seq]?.comments ?? [];
    if (epoch !== this.epoch || missed < 0 || missed > Math.floor(comments.length / 2) + 50) {
      const size = this.parts.comments;
      const chunks: WireComment[][] = [];
      for (let i = 0; i < comments.length; i += size) chunks.push(comments.slice(i, i + size));
      if (!chunks.length) chunks.push([]);
      chunks.forEach((chunk, part) => {
        const first =
          part === 0 ? { post: this.at(this.seq).post, confirmed: [...(this.confirmed.get(client) ?? [])] } : {};
        const base = {
          kind: "snapshot" as const,
          to: client,
          rid,
          epoch: this.epoch,
          seq: this.seq,
          part,
          parts: chunks.length,
        };
        this.#broadcast({ ...base, ...first, comments: chunk });
      });
      return;
    }
    const entries = this.log.slice(seq).map((e, i) => ({ seq: seq + i + 1, rid: e.rid, event: e.event }));
    const size = this.parts.events;
    for (let i = 0; i === 0 || i < entries.length; i += size) {
      const done = i + size >= entries.length;
      this.#broadcast({
        kind: "catchup",
        to: client,
        rid,
        epoch: this.epoch,
        events: entries.slice(i, i + size),
        done,
      });
    }
  }

  #broadcast(msg: IncomingMsg): void {
    this.sent.push(msg);
    for (const p of this.pages) p.inbox.push(clone(msg));
  }
}
