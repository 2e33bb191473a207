/**
 * The widget model's side of the page: one ThreadStore per anywidget model (created in
 * `initialize`, shared by every view of that model, found by `_model_key`). The model is typed
 * by the widget's synced traits (generated/model.ts, written from Python by scripts/gen_protocol.py).
 */
import type { AnyModel } from "@anywidget/types";
import type { Model } from "./generated/model";
import type { Config, OutgoingMsg } from "./protocol";
import { isIncomingMsg } from "./protocol";
import { ThreadStore } from "./state";
import { savedSnapshot } from "./saved";
import { Fmt } from "./strings";
import { votingKind } from "./ranking";
import { Connection } from "./connection";

type Handler = (...args: unknown[]) => void;

/** The anywidget model of a ThreadWidget: `get`/`set` of its synced traits, typed. */
export type ThreadModel = AnyModel<Model>;

export interface ModelState {
  store: ThreadStore;
  /** whether the kernel can be reached (connection.ts) */
  conn: Connection;
  /** true while this page itself writes `selected` (its change is not a request to focus) */
  selecting: boolean;
  /** A view starts showing the store (the first one sends the sync held until then); returns its detach. */
  attach: () => () => void;
  dispose: () => void;
}

/**
 * One state per widget model. anywidget hands `initialize` and every `render` its own proxy of
 * the model, so the proxy cannot be the key: the kernel names each model with `_model_key`
 * (random, per widget), looked up per widget manager (one per notebook). A model without it
 * (tests, hosts that pass the model itself) is its own key.
 */
const byProxy = new WeakMap<ThreadModel, ModelState>();
const byKey = new WeakMap<object, Map<string, ModelState>>();
const NO_MANAGER = {};

function keyed(model: ThreadModel): Map<string, ModelState> | null {
  const key: unknown = model.get("_model_key");
  if (typeof key !== "string" || key === "") return null;
  const wm = (model as { widget_manager?: unknown }).widget_manager;
  const manager = typeof wm === "object" && wm !== null ? wm : NO_MANAGER;
  let map = byKey.get(manager);
  if (!map) byKey.set(manager, (map = new Map<string, ModelState>()));
  return map;
}

function lookup(model: ThreadModel): ModelState | undefined {
  return keyed(model)?.get(model.get("_model_key")) ?? byProxy.get(model);
}

export function setup(model: ThreadModel): ModelState {
  const existing = lookup(model);
  if (existing) return existing;
  const conn = new Connection(model);
  // Until a view shows the model, its sync waits: the whole thread is fetched for a view, never
  // for a model built in one cell and shown in a later one (the kernel would answer it first).
  let views = 0;
  let held: OutgoingMsg | null = null;
  const store = new ThreadStore({
    // a closed comm throws: never an uncaught page error, the connection says "gone"
    send: (msg) => {
      if (views === 0 && msg.kind === "sync") held = msg;
      else conn.send(msg);
    },
    user: model.get("user"),
  });
  const stopLink = conn.subscribe((link) => store.setLink(link));
  store.setLink(conn.state);
  const onMsg: Handler = (msg) => {
    if (isIncomingMsg(msg)) store.handleMessage(msg);
  };
  // the comments travel in slots beside `_snapshot`, set before its change event (saved.ts)
  const onSnapshot: Handler = () => store.onSnapshotTrait(savedSnapshot(model));
  const onUser: Handler = () => {
    store.user = model.get("user");
  };
  const onRole: Handler = () => {
    const config: Config = model.get("_config");
    store.role = config.role ?? "participant";
    store.ranker.kind = votingKind(config.voting);
  };
  onRole();
  model.on("change:_config", onRole);
  model.on("msg:custom", onMsg);
  model.on("change:_snapshot", onSnapshot);
  model.on("change:user", onUser);

  const snap = savedSnapshot(model);
  if (snap) store.load(snap);
  // Messages sent before this page loaded are lost: always ask for what we missed (sent when
  // the first view attaches).
  store.requestSync(true);

  const map = keyed(model);
  const key = model.get("_model_key");
  const state: ModelState = {
    store,
    conn,
    selecting: false,
    attach: () => {
      views++;
      if (views === 1 && held) {
        const msg = held;
        held = null;
        conn.send(msg);
      }
      const detachStore = store.attach(); // timers and retries only while a view shows it
      let attached = true;
      return () => {
        if (attached) views--;
        attached = false;
        detachStore();
      };
    },
    dispose: () => {
      stopLink();
      conn.dispose();
      store.dispose();
      model.off("msg:custom", onMsg);
      model.off("change:_snapshot", onSnapshot);
      model.off("change:user", onUser);
      model.off("change:_config", onRole);
      if (map && map.get(key) === state) map.delete(key);
      byProxy.delete(model);
    },
  };
  if (map) map.set(key, state);
  else byProxy.set(model, state);
  return state;
}

/** The store of a model (for tests and tools). */
export function storeOf(model: ThreadModel): ThreadStore | undefined {
  return lookup(model)?.store;
}

/** The UI words and number/time formats of `strings` and `locale`. */
export function currentFmt(model: ThreadModel): Fmt {
  return new Fmt(model.get("strings"), model.get("locale"));
}

/**
 * The user selected a comment in a view: `selected` follows (synced to the kernel). Setting the
 * same value again is no change; the page's own write is never taken as a request to focus.
 */
export function selectComment(model: ThreadModel, st: ModelState, id: string): void {
  if (model.get("selected") === id) return;
  st.selecting = true;
  selectingHere = true;
  try {
    model.set("selected", id);
  } finally {
    st.selecting = false;
    selectingHere = false;
  }
  model.save_changes();
}

/**
 * True while a view of this page writes `selected`. Hosts may hand each view its own model
 * object (anywidget's proxies), so the per-model flag alone would let another view of the same
 * widget take the page's own click for a request to focus, scroll, and swallow the click.
 */
let selectingHere = false;
export function isSelectingHere(): boolean {
  return selectingHere;
}
