/**
 * Whether a widget model can reach its kernel: "live", "lost" (the connection dropped; the host
 * reconnects and queues what is sent meanwhile), "restarting", or "gone" (the kernel restarted
 * or died: this model's comm is gone for good and the widget's cell must run again).
 *
 * Read from the host's kernel (JupyterLab and Notebook 7 hand anywidget's model their widget
 * manager, whose `kernel` has Lumino `statusChanged` / `connectionStatusChanged` signals) and
 * from sending itself: a send that throws (a closed comm) means "gone", in any host.
 */
/** What the connection needs of anywidget's model: sending, and the host's widget manager. */
interface ModelLike {
  send(content: unknown): void;
}

export type Link = "live" | "lost" | "restarting" | "gone";

interface Signal<T> {
  connect(fn: (sender: unknown, value: T) => void): unknown;
  disconnect(fn: (sender: unknown, value: T) => void): unknown;
}

interface KernelLike {
  status?: string;
  connectionStatus?: string;
  statusChanged?: Signal<string>;
  connectionStatusChanged?: Signal<string>;
}

function kernelOf(model: ModelLike): KernelLike | null {
  try {
    const wm = (model as { widget_manager?: { kernel?: unknown } }).widget_manager;
    const k = wm?.kernel;
    return k && typeof k === "object" ? k : null;
  } catch {
    return null;
  }
}

export class Connection {
  #state: Link = "live";
  /** a restart was seen: this model's comm did not survive it */
  #restarted = false;
  #listeners = new Set<(s: Link) => void>();
  #kernel: KernelLike | null;
  readonly #onStatus = (_s: unknown, status: string): void => this.#status(status);
  readonly #onConn = (_s: unknown, status: string): void => this.#connection(status);

  constructor(private readonly model: ModelLike) {
    this.#kernel = kernelOf(model);
    const k = this.#kernel;
    if (k) {
      k.statusChanged?.connect(this.#onStatus);
      k.connectionStatusChanged?.connect(this.#onConn);
      if (k.status === "dead") this.#set("gone");
    }
  }

  get state(): Link {
    return this.#state;
  }

  subscribe(fn: (s: Link) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Send through the model; false (and "gone") if the host refuses: the comm is closed. */
  send(msg: unknown): boolean {
    if (this.#state === "gone") return false;
    try {
      this.model.send(msg);
      return true;
    } catch {
      this.#set("gone");
      return false;
    }
  }

  dispose(): void {
    const k = this.#kernel;
    k?.statusChanged?.disconnect(this.#onStatus);
    k?.connectionStatusChanged?.disconnect(this.#onConn);
    this.#kernel = null;
    this.#listeners.clear();
  }

  #status(status: string): void {
    if (this.#state === "gone") return;
    if (status === "restarting" || status === "autorestarting") {
      this.#restarted = true;
      this.#set("restarting");
    } else if (status === "dead") this.#set("gone");
    else if (this.#restarted && (status === "idle" || status === "busy")) this.#set("gone");
  }

  #connection(status: string): void {
    if (this.#state === "gone") return;
    if (status === "connected") {
      if (this.#restarted) this.#set("gone");
      else if (this.#kernel?.status !== "restarting") this.#set("live");
    } else if (!this.#restarted) this.#set("lost");
  }

  #set(s: Link): void {
    if (s === this.#state) return;
    this.#state = s;
    for (const fn of [...this.#listeners]) fn(s);
  }
}
