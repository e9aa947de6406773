/**
 * `agent` frames: an agent's status and load, as GET /api/agents shows them, sent to every inbox
 * socket whenever they change (status set by the agent or an admin, the sweeper taking them
 * offline, a conversation assigned, transferred, handed back, resolved or requeued).
 *
 * The instance that commits the change publishes it here and to this process's other isolates
 * (`publish`); its commit carries an "agent" feed entry, and other instances re-read the agents it
 * names when their feed reader sees it (`deliverCurrent`). Every event carries the versionstamp of
 * the agent's state, so copies that arrive both ways are shown once, never out of order
 * (./subscriber.ts).
 */
import type { Relay } from "./relay.ts";
import type { RelayEvent } from "./events.ts";
import { type AgentSnapshot, publicUser, type Users } from "../store/users.ts";

export class AgentFrames {
  constructor(
    private users: Users,
    private relay: Relay,
    private defaultCapacity: number,
  ) {}

  #event({ record, state, version }: AgentSnapshot): RelayEvent {
    return { type: "agent", user: publicUser(record, state, this.defaultCapacity), version };
  }

  /** Publishes agents' states just committed here. */
  publish(snapshots: readonly AgentSnapshot[]): void {
    for (const s of snapshots) this.relay.publish(this.#event(s));
  }

  /** Reads these agents' current state and publishes it (after a status change, say). */
  async publishCurrent(agentIds: string[]): Promise<void> {
    this.publish(await this.users.snapshots(agentIds));
  }

  /** Reads these agents' current state and delivers it to this isolate's sockets (the feed). */
  async deliverCurrent(agentIds: string[]): Promise<void> {
    for (const s of await this.users.snapshots(agentIds)) this.relay.deliverHere(this.#event(s));
  }
}
