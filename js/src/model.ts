/**
 * The widget model's side of the page: one ThreadStore per anywidget model (created in
 * `initialize`, shared by every view of that model, found by `_model_key`), and readers of the
 * model's traits.
 */
import type { Config, OutgoingMsg, Snapshot, Sort } from "./protocol";
import { SORTS, isIncomingMsg } from "./protocol";
import { ThreadStore } from "./state";
import { savedSnapshot } from "./saved";
import { Fmt } from "./strings";
import { votingKind } from "./ranking";

type Handler = (...args: unknown[]) => void;

/** The part of the anywidget model API this widget uses. */
export interface ModelLike {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, cb: Handler): void;
  off(event?: string | null, cb?: Handler | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown): void;
  /** the host's widget manager (anywidget's proxy carries it): scopes `_model_key` */
  widget_manager?: unknown;
}

export interface ModelState {
  store: ThreadStore;
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
const byProxy = new WeakMap<ModelLike, ModelState>();
const byKey = new WeakMap<object, Map<string, ModelState>>();
const NO_MANAGER = {};

function keyed(model: ModelLike): Map<string, ModelState> | null {
  const key = model.get("_model_key");
  if (typeof key !== "string" || key === "") return null;
  const manager = typeof model.widget_manager === "object" && model.widget_manager !== null ? model.widget_manager : NO_MANAGER;
  let map = byKey.get(manager);
  if (!map) byKey.set(manager, (map = new Map<string, ModelState>()));
  return map;
}

function lookup(model: ModelLike): ModelState | undefined {
  return keyed(model)?.get(model.get("_model_key") as string) ?? byProxy.get(model);
}

export function setup(model: ModelLike): ModelState {
  const existing = lookup(model);
  if (existing) return existing;
  // Until a view shows the model, its sync waits: the whole thread is fetched for a view, never
  // for a model built in one cell and shown in a later one (the kernel would answer it first).
  let views = 0;
  let held: OutgoingMsg | null = null;
  const store = new ThreadStore({
    send: (msg) => {
      if (views === 0 && msg.kind === "sync") held = msg;
      else model.send(msg);
    },
    user: userOf(model),
  });
  const onMsg: Handler = (msg) => {
    if (isIncomingMsg(msg)) store.handleMessage(msg);
  };
  const onSnapshot: Handler = () => store.onSnapshotTrait(model.get("_snapshot") as Snapshot | null);
  const onUser: Handler = () => {
    store.user = userOf(model);
  };
  const onRole: Handler = () => {
    store.role = configOf(model).role ?? "participant";
    store.ranker.kind = votingKind(configOf(model).voting);
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
  const key = model.get("_model_key") as string;
  const state: ModelState = {
    store,
    selecting: false,
    attach: () => {
      views++;
      if (views === 1 && held) {
        const msg = held;
        held = null;
        model.send(msg);
      }
      let attached = true;
      return () => {
        if (attached) views--;
        attached = false;
      };
    },
    dispose: () => {
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

/** The acting user (`w.user`). */
export function userOf(model: ModelLike): string {
  const u = model.get("user");
  return typeof u === "string" ? u : "";
}

/** The store of a model (for tests and tools). */
export function storeOf(model: ModelLike): ThreadStore | undefined {
  return lookup(model)?.store;
}

/** The kernel-computed rules (`_config`): role, voting model, labels, fields, actions. */
export function configOf(model: ModelLike): Partial<Config> {
  const cfg = model.get("_config");
  return typeof cfg === "object" && cfg !== null ? (cfg) : {};
}

export function currentSort(model: ModelLike): Sort {
  const s = model.get("sort");
  return typeof s === "string" && (SORTS as readonly string[]).includes(s) ? (s as Sort) : "oldest";
}

export function currentFmt(model: ModelLike): Fmt {
  return new Fmt(model.get("strings"), model.get("locale"));
}

export function currentCss(model: ModelLike): string {
  const css = model.get("css");
  return typeof css === "string" ? css : "";
}

/**
 * The user selected a comment in a view: `selected` follows (synced to the kernel). Setting the
 * same value again is no change; the page's own write is never taken as a request to focus.
 */
export function selectComment(model: ModelLike, st: ModelState, id: string): void {
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
