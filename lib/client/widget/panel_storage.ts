/**
 * What the panel remembers: the visitor's token, the conversation a tab just started (the other
 * tabs add it to their list) and whether the pre-chat form was answered — and how other tabs of the
 * same site hear of a change.
 *
 * Where it lives: the panel's own localStorage, which browsers partition by the site around the
 * frame. Browsers that block a third-party frame's storage outright (incognito windows, "block
 * third-party cookies", Safari) throw on it; the panel then keeps these values in the host page's
 * localStorage through the loader (`store` and `stored` messages, ./protocol.ts), under the loader's
 * namespaced keys, so a reload or a second tab still finds the visitor. Not in a frame at all, it
 * keeps them in memory.
 */
import { STORE_NAMES, type StoredValues, type StoreName } from "./protocol.ts";

export const KEYS = { token: "token", conversation: "conversation", preChat: "prechat" } as const;

/** How long the panel waits for the loader's copy of the values before going on without. */
const HOST_WAIT_MS = 3000;

const localKey = (name: StoreName) => `parley.widget.${name}`;

function ownStorageWorks(): boolean {
  try {
    localStorage.getItem(localKey("token"));
    return true;
  } catch {
    return false;
  }
}

type Listener = (name: StoreName, value: string | null) => void;

export class PanelStorage {
  #mode: "own" | "host" | "memory" = "memory";
  #values = new Map<StoreName, string>();
  #listeners = new Set<Listener>();
  #post: (name: StoreName, value: string | null) => void = () => {};
  #received: () => void = () => {};
  /** Settles once the values can be read. */
  ready: Promise<void> = Promise.resolve();

  /** Picks where values live; `post` sends a change to the loader (host mode only). */
  connect(framed: boolean, post: (name: StoreName, value: string | null) => void): void {
    this.#post = post;
    if (ownStorageWorks()) {
      this.#mode = "own";
      addEventListener("storage", (event: StorageEvent) => {
        const name = STORE_NAMES.find((n) => localKey(n) === event.key);
        if (name) this.#emit(name, event.newValue);
      });
    } else if (framed) {
      this.#mode = "host";
      this.ready = new Promise<void>((resolve) => {
        this.#received = resolve;
        setTimeout(resolve, HOST_WAIT_MS);
      });
    }
  }

  get(name: StoreName): string | null {
    if (this.#mode === "own") return localStorage.getItem(localKey(name));
    return this.#values.get(name) ?? null;
  }

  set(name: StoreName, value: string | null): void {
    if (this.#mode === "own") {
      if (value === null) localStorage.removeItem(localKey(name));
      else localStorage.setItem(localKey(name), value);
      return;
    }
    if (value === null) this.#values.delete(name);
    else this.#values.set(name, value);
    if (this.#mode === "host") this.#post(name, value);
  }

  /** The loader's copy (host mode): the first fills the values, later ones are other tabs' changes. */
  receive(values: StoredValues): void {
    if (this.#mode !== "host") return;
    for (const name of STORE_NAMES) {
      const value = values[name];
      if ((this.#values.get(name) ?? null) === value) continue;
      if (value === null) this.#values.delete(name);
      else this.#values.set(name, value);
      this.#emit(name, value);
    }
    this.#received();
  }

  /** Another tab changed a value. Returns the function that stops listening. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(name: StoreName, value: string | null) {
    for (const listener of this.#listeners) listener(name, value);
  }
}

/** The panel's one storage. */
export const panelStorage = new PanelStorage();
