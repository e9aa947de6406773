/** A banner while the socket is down: says what happens and offers to retry now. */
import type { ChatSocket } from "../lib/client/chat_socket.ts";

export function ConnectionBanner({ socket }: { socket: ChatSocket }) {
  const state = socket.state.value;
  if (state === "online" || state === "connecting") {
    return <div role="status" class="banner-slot" />;
  }
  return (
    <div role="status" class={`banner-slot banner ${state}`}>
      {state === "signed-out" ? "You were signed out. Reload the page to continue." : (
        <>
          <span>Connection lost. Reconnecting… Messages you send will go out when it's back.</span>
          <button type="button" class="link" onClick={() => socket.retryNow()}>Retry now</button>
        </>
      )}
    </div>
  );
}
