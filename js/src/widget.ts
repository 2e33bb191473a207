/**
 * The anywidget entry. One ThreadStore per model (created in initialize, shared by every view of
 * that model); one ThreadView per render. Wiring only: no thread rules live here.
 */
import type { Config, Snapshot, Sort } from "./protocol";
import { DEFAULT_MAX_BODY, SORTS, isIncomingMsg } from "./protocol";
import { ThreadStore } from "./state";
import { ThreadView } from "./render/view";
import { Fmt } from "./strings";
import { parseOptions } from "./options";
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
}

interface ModelState {
  store: ThreadStore;
  dispose: () => void;
}

const states = new WeakMap<ModelLike, ModelState>();

function setup(model: ModelLike): ModelState {
  const existing = states.get(model);
  if (existing) return existing;
  const store = new ThreadStore({
    send: (msg) => model.send(msg),
    user: String(model.get("user") ?? ""),
  });
  const onMsg: Handler = (msg) => {
    if (isIncomingMsg(msg)) store.handleMessage(msg);
  };
  const onSnapshot: Handler = () => store.onSnapshotTrait(model.get("_snapshot") as Snapshot | null);
  const onUser: Handler = () => {
    store.user = String(model.get("user") ?? "");
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

  const snap = model.get("_snapshot") as Snapshot | null | undefined;
  if (snap && typeof snap.epoch === "string") store.load(snap);
  // Messages sent before this page loaded are lost: always ask for what we missed.
  store.requestSync(true);

  const state: ModelState = {
    store,
    dispose: () => {
      store.dispose();
      model.off("msg:custom", onMsg);
      model.off("change:_snapshot", onSnapshot);
      model.off("change:user", onUser);
      model.off("change:_config", onRole);
      states.delete(model);
    },
  };
  states.set(model, state);
  return state;
}

/** The store of a model (for tests and tools). */
export function storeOf(model: ModelLike): ThreadStore | undefined {
  return states.get(model)?.store;
}

/** The kernel-computed rules (`_config`): role, voting model, labels, fields, actions. */
export function configOf(model: ModelLike): Partial<Config> {
  const cfg = model.get("_config");
  return typeof cfg === "object" && cfg !== null ? (cfg as Partial<Config>) : {};
}

function currentSort(model: ModelLike): Sort {
  const s = model.get("sort");
  return typeof s === "string" && (SORTS as readonly string[]).includes(s) ? (s as Sort) : "oldest";
}

function currentFmt(model: ModelLike): Fmt {
  return new Fmt(model.get("strings"), model.get("locale"));
}

function currentCss(model: ModelLike): string {
  const css = model.get("css");
  return typeof css === "string" ? css : "";
}

export function initialize({ model }: { model: ModelLike }): () => void {
  const st = setup(model);
  return () => st.dispose();
}

export function render({ model, el }: { model: ModelLike; el: HTMLElement }): () => void {
  const { store } = setup(model);
  const view = new ThreadView(el, {
    store,
    sort: () => currentSort(model),
    setSort: (s) => {
      if (currentSort(model) === s) return;
      model.set("sort", s);
      model.save_changes();
    },
    // a reader (`w.role`/`w.roles`) gets no controls at all: the view is read-only for them
    readOnly: () => model.get("read_only") === true || configOf(model).role === "reader",
    maxBody: () => {
      const m = configOf(model).max_body;
      return typeof m === "number" && m > 0 ? m : DEFAULT_MAX_BODY;
    },
    config: () => configOf(model),
    fmt: () => currentFmt(model),
    options: () => parseOptions(model.get("options")),
    css: () => currentCss(model),
  });
  const onSnapshotNote: Handler = () => {
    const snap = model.get("_snapshot") as Snapshot | null | undefined;
    view.setSnapshotNote(typeof snap?.saved_at === "string" ? snap.saved_at : null);
  };
  onSnapshotNote();
  const onSort: Handler = () => view.setSort(currentSort(model));
  const onRedraw: Handler = () => view.refreshAll();
  const onConfig: Handler = () => view.setConfig(configOf(model));
  const onUser: Handler = () => {
    store.user = String(model.get("user") ?? "");
    view.refreshAll();
  };
  const onFmt: Handler = () => view.setFmt(currentFmt(model));
  const onOptions: Handler = () => view.setOptions(parseOptions(model.get("options")));
  const onCss: Handler = () => view.setCss(currentCss(model));
  const extra: [string, Handler][] = [
    ["change:strings", onFmt],
    ["change:locale", onFmt],
    ["change:options", onOptions],
    ["change:css", onCss],
  ];
  for (const [ev, cb] of extra) model.on(ev, cb);
  model.on("change:sort", onSort);
  model.on("change:read_only", onRedraw);
  model.on("change:user", onUser);
  model.on("change:_config", onConfig);
  model.on("change:_snapshot", onSnapshotNote);
  return () => {
    model.off("change:_snapshot", onSnapshotNote);
    model.off("change:sort", onSort);
    model.off("change:read_only", onRedraw);
    model.off("change:user", onUser);
    model.off("change:_config", onConfig);
    for (const [ev, cb] of extra) model.off(ev, cb);
    view.destroy();
  };
}

export default { initialize, render };

// re-exports for tests and embedding
export { ThreadStore, ThreadView };
