/**
 * The panel's end of the postMessage link with the loader (./protocol.ts): it hears only messages
 * whose source is the parent window and whose origin is the host origin the page was opened for
 * (checked by the server against the allowed origins), each parsed with zod; it posts only to the
 * parent, with that origin as the target, so nothing reaches another site.
 */
import type { FrameMessage, HostMessage } from "./protocol.ts";
import { hostMessageSchema } from "./protocol_schema.ts";

export class HostLink {
  #listener: ((event: MessageEvent) => void) | null = null;

  constructor(readonly origin: string) {}

  /** Starts listening, then tells the loader the panel is ready. Returns the stop function. */
  start(onMessage: (message: HostMessage) => void): () => void {
    const listener = (event: MessageEvent) => {
      if (event.source !== parent || event.origin !== this.origin) return;
      const parsed = hostMessageSchema.safeParse(event.data);
      if (parsed.success) onMessage(parsed.data);
    };
    this.#listener = listener;
    addEventListener("message", listener);
    this.post({ parley: 1, type: "ready" });
    return () => removeEventListener("message", listener);
  }

  post(message: FrameMessage): void {
    if (parent !== window) parent.postMessage(message, this.origin);
  }
}
