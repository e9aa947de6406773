/**
 * The website widget's loader, served as `GET /widget.js` (built into one classic script by the
 * islands build, lib/islands/build.ts). A website adds
 * `<script src="https://PARLEY_HOST/widget.js" async></script>` and gets a launcher button; the
 * chat itself is a Parley page in an iframe (/widget/frame, islands/WidgetPanel.tsx).
 *
 * - Does nothing but draw the launcher until the visitor opens it — or, for a visitor who already
 *   has conversations (a namespaced localStorage flag the panel sets), loads the panel hidden at
 *   once, so that new messages raise the badge.
 * - Touches nothing on the page but its own element (./launcher.ts), the page's title while it
 *   flashes (./attention.ts), and that flag.
 * - Talks to the panel only by postMessage: to `frame.contentWindow` with Parley's origin as the
 *   target, and only hears messages whose source is that window, whose origin is Parley's, and
 *   whose shape passes ./protocol.ts's checks.
 * - `window.Parley(...)` calls made before it ran are taken from the snippet's queue (./commands.ts).
 */
import {
  type Command,
  type EventName,
  installApi,
  type Listener,
  type ParleyFunction,
} from "./commands.ts";
import { type LoaderOptions, readOptions } from "./options.ts";
import {
  type FrameMessage,
  type HostMessage,
  parseFrameMessage,
  STORE_NAMES,
  type StoredValues,
} from "./protocol.ts";
import { drawLauncher, type Launcher, PHONE_QUERY } from "./launcher.ts";
import { Attention } from "./attention.ts";
import { normalizeColor, type Position } from "../../contract/widget_rules.ts";

/** Our keys in the host page's localStorage (all under this prefix). */
const PREFIX = "parley-widget:";
/** Set by the panel while the visitor has conversations. */
const ACTIVE_KEY = PREFIX + "active";

interface ServerSettings {
  color: string;
  position: Position;
}

const warn = (message: string) => console.warn(message);

/** The host page's localStorage, our keys only; blocked storage reads as empty. */
const storage = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string | null) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // Blocked: the panel then loads when the visitor opens it, and keeps its session in memory.
    }
  },
};

/** What the panel keeps here when its own storage is blocked (./panel_storage.ts). */
const storedValues = (): StoredValues => ({
  token: storage.get(PREFIX + "token"),
  conversation: storage.get(PREFIX + "conversation"),
  prechat: storage.get(PREFIX + "prechat"),
});

class Widget {
  #listeners = new Map<EventName, Set<Listener>>();
  /** Commands that came before the launcher was drawn. */
  #early: Command[] = [];
  #ui: Launcher | null = null;
  #frame: HTMLIFrameElement | null = null;
  #frameReady = false;
  /** identify and logout calls the panel hasn't had yet, in order. */
  #sessionCalls: HostMessage[] = [];
  #open = false;
  /** The launcher opened the panel before it was ready: focus it once it is. */
  #focusPending = false;
  #unread = 0;
  #attention = new Attention();
  #phone = matchMedia(PHONE_QUERY);

  constructor(private base: string, private options: LoaderOptions) {}

  async start(): Promise<void> {
    let settings: ServerSettings;
    try {
      const response = await fetch(`${this.base}/api/widget/settings`, { credentials: "omit" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      settings = (await response.json()).settings;
    } catch {
      console.error(
        `Parley: the chat can't load on ${location.origin}: this site is not one of the allowed ` +
          `origins of ${this.base} (an admin adds sites on ${this.base}/admin), or Parley can't ` +
          "be reached.",
      );
      return;
    }
    this.#ui = drawLauncher({
      color: this.options.color ?? normalizeColor(settings.color) ?? "#4f46e5",
      position: this.options.position ?? (settings.position === "left" ? "left" : "right"),
      onToggle: () => this.#setOpen(!this.#open, true),
    });
    this.#ui.host.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.#open) this.#close(true);
    });
    addEventListener("message", (event) => this.#onMessage(event));
    // Another tab changed what the panel keeps here: its panel must hear of it.
    addEventListener("storage", (event: StorageEvent) => {
      if (STORE_NAMES.some((name) => event.key === PREFIX + name) && this.#frameReady) {
        this.#post({ parley: 1, type: "stored", values: storedValues() });
      }
    });
    this.#phone.addEventListener("change", () => this.#postState());
    if (storage.get(ACTIVE_KEY)) this.#ensureFrame();
    if (this.options.open) this.#setOpen(true, false);
    for (const command of this.#early.splice(0)) this.run(command);
  }

  run(command: Command): void {
    if (command.name === "on") {
      const set = this.#listeners.get(command.event) ?? new Set();
      set.add(command.listener);
      this.#listeners.set(command.event, set);
      return;
    }
    if (!this.#ui) {
      this.#early.push(command);
      return;
    }
    switch (command.name) {
      case "open":
      case "close":
      case "toggle":
        return this.#setOpen(command.name === "toggle" ? !this.#open : command.name === "open");
      case "identify":
        this.#sessionCalls = this.#sessionCalls.filter((m) => m.type !== "identify");
        return this.#sessionCall({ parley: 1, type: "identify", ...command.identity });
      case "logout":
        storage.set(ACTIVE_KEY, null);
        this.#sessionCalls = [];
        return this.#sessionCall({ parley: 1, type: "logout" });
    }
  }

  /** The panel gets it now if it is there; else when it comes (it is loaded lazily). */
  #sessionCall(message: HostMessage) {
    this.#sessionCalls.push(message);
    if (this.#frameReady) this.#flushSession();
  }

  #flushSession() {
    for (const message of this.#sessionCalls.splice(0)) this.#post(message);
  }

  #setOpen(open: boolean, fromLauncher = false) {
    if (open === this.#open || !this.#ui) return;
    this.#open = open;
    if (open) this.#ensureFrame();
    this.#ui.setOpen(open);
    this.#postState();
    if (open) {
      this.#attention.stop();
      // Keyboard users land in the chat; a page's own open() call doesn't move their focus.
      if (fromLauncher) this.#focusPanel();
    }
    this.#emit(open ? "open" : "close");
  }

  #focusPanel() {
    this.#focusPending = !this.#frameReady;
    if (this.#frameReady) {
      this.#frame?.focus();
      this.#post({ parley: 1, type: "focus" });
    }
  }

  #close(refocus: boolean) {
    const inside = this.#ui?.host.contains(document.activeElement) ?? false;
    this.#setOpen(false);
    if (refocus || inside) this.#ui?.button.focus();
  }

  #ensureFrame() {
    if (this.#frame || !this.#ui) return;
    const url = new URL("/widget/frame", this.base);
    url.searchParams.set("origin", location.origin);
    if (this.options.color) url.searchParams.set("color", this.options.color);
    if (this.options.locale) url.searchParams.set("locale", this.options.locale);
    const frame = document.createElement("iframe");
    frame.title = "Chat";
    frame.src = url.href;
    // The panel may open links in new tabs; it may never navigate the host page.
    frame.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-forms allow-popups " +
        "allow-popups-to-escape-sandbox",
    );
    this.#frame = frame;
    this.#ui.holdFrame(frame);
  }

  #post(message: HostMessage) {
    this.#frame?.contentWindow?.postMessage(message, this.base);
  }

  #postState() {
    if (!this.#frameReady) return;
    this.#post({ parley: 1, type: "state", open: this.#open, fullscreen: this.#phone.matches });
  }

  #onMessage(event: MessageEvent) {
    const frame = this.#frame;
    if (!frame || event.source !== frame.contentWindow || event.origin !== this.base) return;
    const message = parseFrameMessage(event.data);
    if (message) this.#handle(message);
  }

  #handle(message: FrameMessage) {
    switch (message.type) {
      case "ready":
        this.#frameReady = true;
        this.#post({ parley: 1, type: "stored", values: storedValues() });
        this.#postState();
        if (this.#focusPending && this.#open) this.#focusPanel();
        return this.#flushSession();
      case "unread":
        if (message.count === this.#unread) return;
        this.#unread = message.count;
        this.#ui?.setUnread(message.count);
        if (message.count === 0) this.#attention.stop();
        return this.#emit("unread", message.count);
      case "message": {
        const { conversationId, sender, authorName, createdAt } = message;
        if (!this.#open || document.hidden) {
          this.#attention.notify(this.#unread, this.options.sound !== false);
        }
        return this.#emit("message", { conversationId, sender, authorName, createdAt });
      }
      case "close":
        return this.#close(true);
      case "session":
        return storage.set(ACTIVE_KEY, message.active ? "1" : null);
      case "store":
        return storage.set(PREFIX + message.name, message.value);
      case "identity":
        if (!message.ok) console.error(`Parley: identify failed: ${message.message}`);
        return;
    }
  }

  #emit(event: EventName, ...args: unknown[]) {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`Parley: an "${event}" listener threw`, error);
      }
    }
  }
}

function boot() {
  const script = (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[src*="/widget.js"]');
  if (!script?.src) return console.error("Parley: can't find the widget's own <script> tag.");
  const base = new URL(script.src).origin;
  const host = window as unknown as { Parley?: ParleyFunction; parleySettings?: unknown };
  const options = readOptions(
    (name) => script.getAttribute(`data-${name}`),
    host.parleySettings,
    warn,
  );
  const widget = new Widget(base, options);
  if (!installApi(host, (command) => widget.run(command), warn)) return; // loaded twice
  const start = () => void widget.start();
  if (document.body) start();
  else addEventListener("DOMContentLoaded", start, { once: true });
}

boot();
