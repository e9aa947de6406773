/**
 * The ceiling: a bare Deno WebSocket relay with Parley's frame shapes but none of its work — no
 * authentication, no validation, no storage. `subscribe` joins a room, `send` is broadcast to the
 * room's members as a `message` frame, `ping` gets `pong`. The benchmark drives it with the same
 * load as Parley and prints Parley's figures as ratios to it.
 *
 *   PORT=0 deno run --allow-net --allow-env bench/raw_relay.ts   →   "Listening on http://HOST:PORT/"
 */
const rooms = new Map<string, Set<WebSocket>>();
const joined = new Map<WebSocket, Set<WebSocket>[]>();

function handle(ws: WebSocket, data: string) {
  const frame = JSON.parse(data);
  switch (frame.type) {
    case "subscribe": {
      let room = rooms.get(frame.conversationId);
      if (!room) rooms.set(frame.conversationId, room = new Set());
      room.add(ws);
      joined.get(ws)?.push(room) ?? joined.set(ws, [room]);
      return;
    }
    case "send": {
      const out = JSON.stringify({
        type: "message",
        message: {
          conversationId: frame.conversationId,
          text: frame.text,
          clientId: frame.clientId,
        },
      });
      for (const member of rooms.get(frame.conversationId) ?? []) {
        if (member.readyState === WebSocket.OPEN) member.send(out);
      }
      return;
    }
    case "ping":
      return ws.send('{"type":"pong"}');
  }
}

Deno.serve({
  port: Number(Deno.env.get("PORT") ?? 0),
  hostname: "127.0.0.1",
  onListen: ({ hostname, port }) => console.log(`Listening on http://${hostname}:${port}/`),
}, (req) => {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("raw relay: WebSocket only\n", { status: 400 });
  }
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 60 });
  socket.onmessage = (e) => {
    try {
      handle(socket, e.data);
    } catch {
      // A bad frame: the ceiling does not validate, it just drops it.
    }
  };
  socket.onclose = () => {
    for (const room of joined.get(socket) ?? []) room.delete(socket);
    joined.delete(socket);
  };
  return response;
});
