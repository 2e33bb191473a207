/**
 * The anywidget entry: `initialize` (one ThreadStore per model, model.ts) and `render` (one
 * ThreadView per output, all of a model's views on its one store). Wiring only: no thread rules live here. Default export only (anywidget
 * warns about a module that exports `render` by name).
 */
import { isSaved } from "./saved";
import { DEFAULT_MAX_BODY } from "./protocol";
import { ThreadView } from "./render/view";
import { parseOptions } from "./options";
import { currentFmt, isSelectingHere, selectComment, setup, type ThreadModel } from "./model";
import { logInteractions } from "./interactions";

type Handler = (...args: unknown[]) => void;

/**
 * The preset's CSS (`_config.style`, `w.preset`), then `w.css` (the user's rules win). The preset's
 * `.tw-root` rules are scoped to this model's views (`data-tw-key`): other widgets keep their look.
 */
function cssOf(model: ThreadModel): string {
  const key = model.get("_model_key");
  const style = (model.get("_config").style ?? "").replace(
    /\.tw-root(?![\w-])/g,
    key ? `$&[data-tw-key="${key}"]` : "$&",
  );
  const css = model.get("css");
  return style ? `${style}\n${css}` : css;
}

function initialize({ model }: { model: ThreadModel }): () => void {
  const st = setup(model);
  return () => st.dispose();
}

function render({ model, el }: { model: ThreadModel; el: HTMLElement }): () => void {
  const st = setup(model);
  const { store } = st;
  const view = new ThreadView(el, {
    store,
    sort: () => model.get("sort"),
    setSort: (s) => {
      if (model.get("sort") === s) return;
      model.set("sort", s);
      model.save_changes();
    },
    // a reader (`w.role`/`w.roles`) gets no controls at all: the view is read-only for them
    // a reader gets no controls; nor does a saved notebook until a live kernel has answered
    readOnly: () => model.get("read_only") || model.get("_config").role === "reader" || isSaved(store),
    maxBody: () => {
      const m = model.get("_config").max_body;
      return typeof m === "number" && m > 0 ? m : DEFAULT_MAX_BODY;
    },
    config: () => model.get("_config"),
    fmt: () => currentFmt(model),
    options: () => parseOptions(model.get("options")),
    css: () => cssOf(model),
    select: (id) => selectComment(model, st, id),
  });
  if (model.get("_model_key")) view.root.dataset.twKey = model.get("_model_key");
  // the kernel's reachability: one line in the view, sends held back, drafts kept
  view.setLink(st.conn.state);
  const stopLink = st.conn.subscribe((link) => view.setLink(link));
  // the first view of the model sends its sync now, after the first screen is drawn; while no
  // view shows the store, it runs no timer and asks nothing (a removed view is silent)
  const detach = st.attach();
  // the interaction log (docs/studies.md), while `log_interactions` is on
  const stopLog = logInteractions(model, store, el);
  const onSnapshotNote: Handler = () => {
    const snap: { saved_at?: unknown } | null | undefined = model.get("_snapshot");
    view.setSnapshotNote(typeof snap?.saved_at === "string" ? snap.saved_at : null);
  };
  onSnapshotNote();
  const onSort: Handler = () => view.setSort(model.get("sort"));
  const onRedraw: Handler = () => view.refreshAll();
  // a saved notebook's view becomes editable once a live kernel answers: redraw the controls
  let saved = isSaved(store);
  const stopWatching = store.subscribe(() => {
    if (isSaved(store) === saved) return;
    saved = !saved;
    view.refreshAll();
  });
  const onConfig: Handler = () => {
    view.setCss(cssOf(model));
    view.setConfig(model.get("_config"));
  };
  const onUser: Handler = () => {
    store.user = model.get("user");
    view.refreshAll();
  };
  const onFmt: Handler = () => view.setFmt(currentFmt(model));
  const onOptions: Handler = () => view.setOptions(parseOptions(model.get("options")));
  const onCss: Handler = () => view.setCss(cssOf(model));
  // `selected` set by the kernel: every view focuses the comment (like `w.focus`)
  const onSelected: Handler = () => {
    const id = model.get("selected");
    if (!st.selecting && !isSelectingHere() && id) view.focusComment(id);
  };
  const handlers: [string, Handler][] = [
    ["change:strings", onFmt],
    ["change:locale", onFmt],
    ["change:options", onOptions],
    ["change:css", onCss],
    ["change:sort", onSort],
    ["change:read_only", onRedraw],
    ["change:user", onUser],
    ["change:_config", onConfig],
    ["change:_snapshot", onSnapshotNote],
    ["change:selected", onSelected],
  ];
  for (const [ev, cb] of handlers) model.on(ev, cb);
  return () => {
    stopLog();
    stopLink();
    detach();
    stopWatching();
    for (const [ev, cb] of handlers) model.off(ev, cb);
    view.destroy();
  };
}

export default { initialize, render };
