/**
 * The Python engine as an oracle (tests/oracle.py): requests decided by `ops.check` / `ops.commit`
 * exactly as the kernel decides them. One Python process per batch of cases; answers are cached
 * by case, so fast-check's shrinking only starts Python for cases it has not seen.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import type { Json, Post, WireComment } from "../src/protocol";
import type { EventMessage, RejectMessage, SnapshotValue } from "../src/generated/protocol";

/** One request: an operation (possibly malformed), who asks and with which rights. */
export interface OracleStep {
  actor: string;
  role: "reader" | "participant" | "moderator";
  trusted: boolean;
  op: { [key: string]: Json };
  /** a placeholder the test swaps for the rid its store chose (null: a Python call) */
  rid: string | null;
}
export interface OracleCase {
  thread: { post: { [key: string]: Json }; comments: { [key: string]: Json }[] };
  epoch: string;
  /** the kernel's clock at step 0 (ISO); step i is decided at now + i seconds */
  now: string;
  votes: string[];
  labels: string[];
  steps: OracleStep[];
}
export interface ThreadAt {
  post: Post;
  comments: WireComment[];
}
export interface OracleAnswer {
  /** the `_snapshot` trait at seq 0 */
  snapshot: SnapshotValue;
  /** the kernel's answer to each step */
  results: (EventMessage | RejectMessage)[];
  /** the thread after each seq (index = seq) */
  states: ThreadAt[];
  /** every state was a valid thread with likes >= likers */
  valid: boolean;
}

const cache = new Map<string, OracleAnswer>();
export let oracleRuns = 0;

/** Decide a batch of cases in one Python process (cached ones are not sent again). */
export function decide(cases: OracleCase[]): OracleAnswer[] {
  const todo = [...new Map(cases.map((c) => [JSON.stringify(c), c])).entries()].filter(([k]) => !cache.has(k));
  if (todo.length) {
    oracleRuns++;
    const python = process.env.PYTHON ?? "python";
    const input = JSON.stringify({ cases: todo.map(([, c]) => c) });
    const out = spawnSync(python, ["tests/oracle.py"], { input, encoding: "utf8", maxBuffer: 1 << 30 });
    if (out.error) throw out.error;
    if (out.status !== 0) throw new Error(`tests/oracle.py failed (${String(out.status)}):\n${out.stderr}`);
    const answers = (JSON.parse(out.stdout) as { cases: OracleAnswer[] }).cases;
    todo.forEach(([key], i) => cache.set(key, answers[i]));
  }
  return cases.map((c) => cache.get(JSON.stringify(c)) as OracleAnswer);
}
