/**
 * Which colleagues have this conversation open and who is typing a reply or a note (agent console
 * only: the frames behind it go to staff alone). Uses lib/client/colleagues.ts.
 */
import { useEffect, useMemo } from "preact/hooks";
import { Fragment } from "preact";
import { Colleagues } from "../lib/client/colleagues.ts";
import { sharedSocket } from "../lib/client/chat_socket.ts";
import { Name } from "./Name.tsx";

export function useColleagues(conversationId: string, selfId: string): Colleagues {
  const colleagues = useMemo(
    () => new Colleagues(sharedSocket(), conversationId, selfId),
    [conversationId, selfId],
  );
  useEffect(() => {
    colleagues.start();
    return () => colleagues.stop();
  }, [colleagues]);
  return colleagues;
}

export function ColleaguesBar({ colleagues }: { colleagues: Colleagues }) {
  const list = colleagues.list.value;
  if (!list.length) return null;
  return (
    <p class="colleagues" role="status" aria-label="Colleagues here">
      {list.map((c, i) => (
        <Fragment key={c.userId}>
          {i > 0 && " · "}
          <Name name={c.name} /> {c.typing === "reply"
            ? "is typing a reply…"
            : c.typing === "note"
            ? "is writing a note…"
            : "is viewing"}
        </Fragment>
      ))}
    </p>
  );
}
