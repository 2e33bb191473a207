// The web page of a shared thread: the threadwidget bundle (widget.js) on a model that talks to
// the hub service instead of a kernel. The bundle sends the messages it would send a kernel
// (`op`, `sync`, `timeline`, `replay`, `action`); this model answers them from the service's
// HTTP API and its server-sent events, in seq order, exactly as the kernel would (docs/protocol.md).
// No text from the thread is ever written here as HTML: the bundle renders and sanitises it.
// A `replace` event (the service sends one to a non-moderator when a comment is hidden or shown
// again: the thread as they may see it, docs/hub.md) reaches the bundle as a fresh snapshot.

const cfg = JSON.parse(document.getElementById("twp-config").textContent);
const EPOCH = `service-${cfg.thread}`;
const LOG_MAX = 2000;
const LOG_UNSENT_MAX = 500; // interaction-log rows kept while the service cannot take them
const statusEl = document.querySelector('[data-role="page-status"]');
const userEl = document.querySelector('[data-role="page-user"]');

function setStatus(text, state) {
  statusEl.textContent = text;
  statusEl.dataset.state = state;
}

async function api(path, init = {}) {
  const headers = { "X-XSRFToken": cfg.xsrf, ...(init.headers || {}) };
  const response = await fetch(`${cfg.api}${path}`, {
    credentials: "same-origin",
    cache: "no-store",
    ...init,
    headers,
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = {};
  }
  return { ok: response.ok, status: response.status, data };
}

class PageModel {
  constructor(state) {
    // the reader's own choice of sort, else their variant's (docs/studies.md), else oldest first
    let sort = state.sort || "oldest";
    try {
      sort = localStorage.getItem(`threadwidget-sort-${cfg.thread}`) || sort;
    } catch {
      /* storage disabled */
    }
    this.attrs = {
      user: state.user,
      read_only: false,
      sort,
      _config: state.config,
      _snapshot: state.snapshot,
      options: state.options || {},
      css: state.css || "",
      strings: state.strings || {},
      locale: state.locale || "",
      // the study's interaction log (docs/studies.md): the bundle says so on the page while on
      log_interactions: state.log_interactions === true,
    };
    this.handlers = new Map();
    this.delivered = state.snapshot.seq; // last seq handed to the bundle
    this.generation = state.generation; // a thread created again under this id is another
    this.log = []; // {seq, rid, event}, contiguous, ending at delivered
    this.pending = new Map(); // seq -> {event, rid} waiting for their turn
    this.inflight = 0; // operations posted and not answered yet
    this.backoff = 500;
    this.source = null;
    this.clients = new Set(); // the bundle's views (they name themselves in their syncs)
    this.unsent = []; // interaction-log rows a failed post left, sent with the next batch
  }

  // ---- the anywidget model interface the bundle uses ----
  get(name) {
    return this.attrs[name];
  }
  set(name, value) {
    const old = this.attrs[name];
    this.attrs[name] = value;
    if (name === "sort") {
      try {
        localStorage.setItem(`threadwidget-sort-${cfg.thread}`, String(value));
      } catch {
        /* storage disabled */
      }
    }
    if (old !== value) this.fire(`change:${name}`, value);
  }
  save_changes() {}
  on(event, cb) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(cb);
  }
  off(event, cb) {
    if (!event) this.handlers.clear();
    else if (!cb) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(cb);
  }
  send(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.kind === "op") void this.postOp(msg);
    else if (msg.kind === "sync") void this.answerSync(msg);
    else if (msg.kind === "timeline") void this.answerTimeline(msg);
    else if (msg.kind === "replay") void this.answerReplay(msg);
    else if (msg.kind === "interactions") void this.postLog(msg.rows);
    else if (msg.kind === "action")
      this.deliver({ kind: "action_result", rid: msg.rid, ok: false, reason: "Custom actions run in notebooks only.", message: null });
  }

  /** The bundle's log rows ({t, k, id, v, ms}) as the service keeps them, under the name the
   * hub verified (the page never says who it is); rows a failed post left go with the next. */
  async postLog(rows) {
    const batch = this.unsent.concat(
      rows.map((r) => ({
        at: new Date(r.t).toISOString(),
        kind: r.k,
        id: r.id ?? null,
        value: r.v ?? null,
        ms: r.ms ?? null,
      })),
    );
    this.unsent = [];
    if (!batch.length) return;
    let answer = null;
    try {
      answer = await api("/interactions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ rows: batch }),
      });
    } catch {
      answer = null; // the service is away
    }
    if (answer === null || answer.status >= 500 || answer.status === 429)
      this.unsent = batch.slice(-LOG_UNSENT_MAX);
  }

  // ---- towards the bundle ----
  fire(event, ...args) {
    for (const cb of [...(this.handlers.get(event) || [])]) cb(...args);
  }
  deliver(msg) {
    this.fire("msg:custom", msg, []);
  }
  reject(rid, reason, field = null) {
    this.deliver({ kind: "reject", rid, reason, field });
  }

  /** An event from the service (answer to our post: with its rid; from the stream: rid null). */
  receive(seq, event, rid) {
    if (seq <= this.delivered) return;
    const known = this.pending.get(seq);
    this.pending.set(seq, { event, rid: rid || (known && known.rid) || null });
  }

  /** Hand the bundle every event that is next in seq order; never while one of our own
   * operations is unanswered (its event must reach the bundle with its rid: the ack). */
  flush() {
    if (this.inflight > 0) return;
    while (this.pending.has(this.delivered + 1)) {
      const seq = this.delivered + 1;
      const { event, rid } = this.pending.get(seq);
      this.pending.delete(seq);
      this.delivered = seq;
      if (event.type === "replace") {
        this.replaceWith(seq, event);
        continue;
      }
      this.log.push({ seq, rid, event });
      if (this.log.length > LOG_MAX) this.log.splice(0, this.log.length - LOG_MAX);
      this.deliver({ kind: "event", epoch: EPOCH, seq, rid, event });
    }
    if (this.pending.size > 0 && !this.filling) void this.fill();
  }

  /** The whole thread as of `seq` (a `replace` event): a snapshot to every view; views that
   * sync from before it get a fresh one from the service (the log starts again here). */
  replaceWith(seq, event) {
    this.log = [];
    this.attrs._snapshot = { ...this.attrs._snapshot, seq, post: event.post, comments: event.comments };
    for (const client of this.clients) {
      this.deliver({
        kind: "snapshot", to: client, rid: null, epoch: EPOCH, seq,
        part: 0, parts: 1, post: event.post, comments: event.comments, confirmed: [],
      });
    }
  }

  /** A gap (an event we never got): read what is missing. */
  async fill() {
    this.filling = true;
    try {
      const { ok, data } = await api(`/events?wire=1&since=${this.delivered}`);
      if (ok) for (const item of data.events) this.receive(item.seq, item.event, null);
    } finally {
      this.filling = false;
    }
    if (this.pending.has(this.delivered + 1)) this.flush();
  }

  async postOp(msg) {
    this.inflight++;
    try {
      const { ok, status, data } = await api("/ops?wire=1", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ op: msg.op, after: null }),
      });
      if (ok) this.receive(data.seq, data.event, msg.rid);
      else {
        this.reject(msg.rid, data.reason || `The discussion service answered ${status}; nothing changed.`, data.field ?? null);
        if (status === 401) this.relogin();
      }
    } catch {
      this.reject(msg.rid, "Could not reach the discussion service; nothing changed. Try again in a moment.");
    } finally {
      this.inflight--;
      this.flush();
    }
  }

  async answerSync(msg) {
    this.clients.add(msg.client);
    const covered =
      msg.epoch === EPOCH &&
      msg.seq <= this.delivered &&
      (msg.seq === this.delivered || (this.log.length > 0 && this.log[0].seq <= msg.seq + 1));
    if (covered) {
      const events = this.log.filter((e) => e.seq > msg.seq);
      this.deliver({ kind: "catchup", to: msg.client, rid: msg.rid ?? null, epoch: EPOCH, events, done: true });
      return;
    }
    const { ok, data } = await api("/page");
    if (!ok) return; // the bundle asks again; a lost session reloads the page below
    const snap = data.snapshot;
    if (snap.seq > this.delivered) {
      this.delivered = snap.seq;
      this.log = [];
      for (const seq of [...this.pending.keys()]) if (seq <= snap.seq) this.pending.delete(seq);
    }
    const confirmed = this.log.filter((e) => e.rid && e.rid.startsWith(`${msg.client}-`)).map((e) => e.rid);
    this.deliver({
      kind: "snapshot", to: msg.client, rid: msg.rid ?? null, epoch: EPOCH, seq: snap.seq,
      part: 0, parts: 1, post: snap.post, comments: snap.comments, confirmed,
    });
    this.flush();
  }

  async answerTimeline(msg) {
    const { ok, data } = await api("/timeline");
    if (ok) this.deliver({ kind: "timeline", rid: msg.rid, moments: data.moments });
    else this.reject(msg.rid, data.reason || "The timeline is not available.");
  }

  async answerReplay(msg) {
    const { ok, data } = await api(`/replay?index=${encodeURIComponent(msg.index)}`);
    if (ok) this.deliver({ ...data, kind: "replay_state", rid: msg.rid, part: 0, parts: 1 });
    else this.reject(msg.rid, data.reason || "Replay is not available.", "index");
  }

  // ---- the push channel ----
  connect() {
    // EventSource cannot send headers: the hub's xsrf token travels as the _xsrf argument
    const xsrf = encodeURIComponent(cfg.xsrf);
    const generation = encodeURIComponent(this.generation);
    const url = `${cfg.api}/stream?wire=1&since=${this.delivered}&generation=${generation}&_xsrf=${xsrf}`;
    const source = new EventSource(url, {
      withCredentials: true,
    });
    this.source = source;
    // the service pings every 5 s; silence for longer means the connection is dead even if a
    // proxy keeps it open: start again (catching up by seq)
    const alive = () => {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => source.onerror(), 12000);
    };
    alive();
    source.addEventListener("ping", alive);
    source.addEventListener("hello", () => {
      alive();
      this.backoff = 500;
      setStatus("live", "live");
    });
    source.addEventListener("event", (e) => {
      alive();
      const item = JSON.parse(e.data);
      this.receive(item.seq, item.event, null);
      this.flush();
    });
    // the thread was deleted and created again under the same id: read the new one afresh
    source.addEventListener("recreated", () => {
      this.source = null;
      source.close();
      setStatus("this thread was created again: reloading…", "reloading");
      window.location.reload();
    });
    source.addEventListener("deleted", () => {
      this.source = null;
      source.close();
      clearTimeout(this.watchdog);
      setStatus("This thread was deleted.", "deleted");
      // a thread created again under this id is a new one: read it afresh when it comes
      const checkBack = async () => {
        const { ok, data } = await api("/page").catch(() => ({ ok: false, data: {} }));
        if (ok && data.generation !== this.generation) window.location.reload();
        else setTimeout(checkBack, 3000);
      };
      setTimeout(checkBack, 3000);
    });
    source.addEventListener("denied", (e) => {
      // the hub no longer vouches for this user here (a revoked session, taken off the
      // thread's readers): stop, and take the thread off the page
      const { reason } = JSON.parse(e.data);
      this.source = null;
      source.close();
      clearTimeout(this.watchdog);
      document.getElementById("thread").replaceChildren();
      setStatus(reason || "You may no longer read this thread.", "denied");
    });
    source.addEventListener("roles", (e) => {
      const { role } = JSON.parse(e.data);
      this.attrs._config = { ...this.attrs._config, role };
      this.fire("change:_config", this.attrs._config);
      showUser(this.attrs.user, role);
    });
    source.onerror = () => {
      source.close();
      clearTimeout(this.watchdog);
      if (this.source !== source) return;
      this.source = null;
      setStatus("reconnecting…", "reconnecting");
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, 5000);
      setTimeout(() => void this.reconnect(), wait);
    };
  }

  async reconnect() {
    try {
      const { status } = await api("/page");
      if (status === 401) return this.relogin();
    } catch {
      /* the service is down: try the stream again anyway, it will fail and back off */
    }
    this.connect();
  }

  relogin() {
    setStatus("signing in again…", "login");
    window.location.reload();
  }
}

function showUser(name, role) {
  userEl.textContent = `${name} · ${role}`;
}

// ---- who may read and write (teachers): hub users and group:NAME, comma-separated ----
function names(text) {
  const list = text.split(",").map((n) => n.trim()).filter(Boolean);
  return list.length ? list : null; // empty: every hub user
}

async function accessForm() {
  const { ok, data } = await api("/access");
  if (!ok) return;
  const form = document.createElement("form");
  form.className = "twp-access";
  form.dataset.role = "page-access";
  const fields = {};
  for (const key of ["readers", "writers"]) {
    const label = document.createElement("label");
    label.textContent = `${key} `;
    const input = document.createElement("input");
    input.name = key;
    input.placeholder = "every hub user";
    input.title = "hub user names and group:NAME, separated by commas; empty: every hub user";
    input.value = (data[key] || []).join(", ");
    label.append(input);
    form.append(label);
    fields[key] = input;
  }
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = "Save access";
  const note = document.createElement("span");
  note.className = "twp-access-note";
  note.dataset.role = "page-access-note";
  note.setAttribute("aria-live", "polite");
  form.append(save, note);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { readers: names(fields.readers.value), writers: names(fields.writers.value) };
    const answer = await api("/access", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    // on a refusal the drafts stay as typed, and the reason is shown
    note.textContent = answer.ok ? "saved" : answer.data.reason || `refused (${answer.status})`;
    note.dataset.state = answer.ok ? "saved" : "error";
  });
  document.querySelector(".twp-bar").append(form);
}

async function main() {
  const { ok, status, data } = await api("/page");
  if (!ok) {
    setStatus(data.reason || `The discussion service answered ${status}.`, "error");
    if (status === 401) window.location.reload();
    return;
  }
  showUser(data.user, data.role);
  if (data.teacher) void accessForm();
  const model = new PageModel(data);
  window.threadwidgetPage = model; // for tests and curious teachers
  const widget = (await import(cfg.bundle)).default;
  if (widget.initialize) widget.initialize({ model });
  widget.render({ model, el: document.getElementById("thread") });
  model.connect();
}

main().catch((error) => setStatus(`The page could not start: ${error}`, "error"));
