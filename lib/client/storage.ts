/** localStorage keys the customer pages share. */

/** The guest's session token, kept so that signing in later can claim the guest's conversation. */
export const GUEST_TOKEN_KEY = "parley.guestToken";
/** The customer's current conversation id; other tabs hear of a new one via the storage event. */
export const CONVERSATION_KEY = "parley.conversation";
