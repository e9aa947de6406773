/**
 * The Hono environment every route shares: only the caller (`principal`, set by the
 * authenticate middleware). Routes get the services they use from their factory's arguments.
 */
import type { Context } from "hono";
import type { Principal } from "../auth/auth.ts";

export type AppEnv = { Variables: { principal: Principal | null } };
export type Ctx = Context<AppEnv>;
