/**
 * Every Deno KV key Parley uses, in one place. Indexes hold ids, never copies of records.
 *
 * | key                                                  | value                                                                                                  |
 * | ---------------------------------------------------- | ------------------------------------------------------------------------------------------------------ |
 * | ["users", userId]                                    | UserRecord                                                                                             |
 * | ["users_by_email", email]                            | userId (unique email index)                                                                            |
 * | ["staff", userId]                                    | null (agents and admins, for listing)                                                                  |
 * | ["agent_state", userId]                              | AgentState (status, load, capacity)                                                                    |
 * | ["sessions", sha256(token)]                          | SessionRecord, expires with the session                                                                |
 * | ["conversations", conversationId]                    | Conversation, with its clientId dedupe window (./client_ids.ts)                                        |
 * | ["messages", conversationId, seq]                    | Message (seq gapless from 1)                                                                           |
 * | ["client_ids", conversationId, authorId, clientId]   | (old layout, before store version 3) seq of that clientId: deleted by the migration                    |
 * | ["conversations_by_customer", customerId, convId]    | null (all of a customer's: claims, GET /api/customers/:id)                                             |
 * | ["conversations_by_assignee", agentId, convId]       | null while open, human and assigned (the agent's load)                                                 |
 * | ["by_customer_open", customerId, convId]             | null while open                                                                                        |
 * | ["by_customer_resolved", customerId, updatedAt, id]  | null once resolved                                                                                     |
 * | ["by_assignee_resolved", agentId, updatedAt, convId] | null once resolved, if it had an assignee                                                              |
 * | ["by_state", status, mode, updatedAt, convId]        | null: every conversation, in activity order *                                                          |
 * | ["by_label", label, status, updatedAt, convId]       | null, one per label of the conversation *                                                              |
 * | ["counts", "state", status, mode]                    | KvU64: conversations in that state                                                                     |
 * | ["counts", "assignee", agentId, status]              | KvU64: conversations with that assignee                                                                |
 * | ["counts", "label", label, status]                   | KvU64: conversations with that label                                                                   |
 * | ["waiting", waitingSince, convId]                    | null while open and waiting: the queue, in order                                                       |
 * | ["queue_tree", node]                                 | KvU64: Fenwick tree node over waitingSince (ms)                                                        |
 * | ["queue_version"]                                    | KvU64: +1 on every join or leave of the queue                                                          |
 * | ["migrations"]                                       | {version}: the store's version (./migrations.ts)                                                       |
 * | ["migration_progress", version]                      | {after, done}: a migration step's progress                                                             |
 * | ["signal", shard]                                    | bumped by commits; watched (realtime)                                                                  |
 * | ["presence", agentId, presenceId]                    | PresenceRecord (a socket or activity), expires a while after it goes stale                             |
 * | ["feed", ulid]                                       | FeedEntry, expires after FEED_TTL_MS                                                                   |
 * | ["reads", conversationId, userId]                    | seq: highest message the user has read (only grows; ./reads.ts)                                        |
 * | ["signin_address", address]                          | number: the address's sign-in budget (GCRA time, ./throttle.ts); expires when the budget is full again |
 * | ["signin_account", sha256(email)]                    | AccountFailures (failures in a row, lockout); expires a day after the last                             |
 * | ["health"]                                           | time of the last /healthz write probe; expires after a minute                                          |
 * | ["help_articles", slug]                              | HelpArticleRecord (./help.ts)                                                                          |
 * | ["help_article_chunks", slug, i]                     | string: part i of the article's source                                                                 |
 * | ["help_meta", "version"]                             | id, rewritten by every article change (instances poll it to follow edits)                              |
 * | ["help_meta", "imported"]                            | {at, articles}: KNOWLEDGE_DIR imported                                                                 |
 * | ["bot_stats", day, counter]                          | KvU64: bot metrics per UTC day (./bot_stats.ts)                                                        |
 * | ["bot_feedback", conversationId, seq]                | BotFeedback: "did that answer?" once per bot answer                                                    |
 * | ["bot_gaps", id]                                     | KnowledgeGap (unanswered question), expires after 30 days                                              |
 * | ["users_by_external_id", externalId]                 | userId (unique: the website widget's verified identify, ./visitors.ts)                                 |
 * | ["settings", name]                                   | SettingEntry: an admin's run-time setting, versioned (./settings.ts)                                   |
 * | ["outbox", ulid]                                     | OutboxRecord: events committed with their cause, not yet fanned out (./outbox.ts)                      |
 * | ["outbox_lease"]                                     | Lease: the instance fanning out the outbox now                                                         |
 * | ["webhooks", webhookId]                              | WebhookRecord (with its signing secret)                                                                |
 * | ["deliveries", deliveryId]                           | DeliveryRecord: one webhook POST or email, its status, attempts and lease (./deliveries.ts)            |
 * | ["deliveries_due", dueMs, deliveryId]                | null while pending: when to try next (or when its lease ends)                                          |
 * | ["api_tokens", tokenId]                              | ApiTokenRecord: name, scopes, sha256 of the secret, last use (./api_tokens.ts)                         |
 * | ["api_tokens_by_hash", sha256(secret)]               | tokenId (unique)                                                                                       |
 * | ["audit", ulid]                                      | AuditEntry: an admin action, in the commit that did it (./audit.ts)                                    |
 * | ["ratings", conversationId]                        | Rating: the customer's CSAT score, once per resolution (./ratings.ts)                                  |
 * | ["report", day, metric]                              | KvU64: report counter per UTC day, moved in the commit of the event (./report_counters.ts)             |
 * | ["report_agent", day, agentId, metric]               | KvU64: the same counters per agent                                                                     |
 * | ["report_hist", day, kind, scope, bucket]            | KvU64: duration histogram (first response, resolution); scope "all" or an agent id                     |
 * | ["erasures", customerId]                             | ErasureJob: a customer's erasure in progress; gone when done (./erase.ts)                              |
 * | ["leases", name]                                     | Lease {owner, until}: one instance at a time does `name`'s periodic work (./leases.ts)                 |
 * | ["attachments", attachmentId]                        | AttachmentRecord: the manifest, committed after every chunk (./attachments.ts)                         |
 * | ["attachment_chunks", attachmentId, i]               | Uint8Array: part i of the file (≤ 60 KiB)                                                              |
 * | ["attachments_by_conversation", convId, attId]       | null: a conversation's files (deleting them all)                                                       |
 * | ["attachments_unused", createdAt, attachmentId]      | null while uploaded but in no message (the sweeper removes old ones)                                   |
 * | ["attachment_garbage", attachmentId]                 | {since}: chunks that may exist without a manifest (an upload in progress, a deleted file)              |
 * | ["snoozed", until, conversationId]                   | null while open and snoozed until a time (../chat/snooze.ts wakes it)                                  |
 *
 * Counters and ["by_state", …] use the status "snoozed" for an open conversation that is snoozed
 * (./lists.ts `laneOf`), so it leaves the open lists and counts while it sleeps.
 * | ["notes", conversationId, seq]                       | null: seq is a private note (customers' unread skips it; ./reads.ts), written with the note            |
 * | ["search_msg", term, batchKey]                       | {p: [conversationId, seq, …]}: a word's messages in one indexer batch (./search.ts)                    |
 * | ["search_msg", term, messageId]                      | {c: conversationId, s: seq}: a word of one message (the backfill, and indexers before issue 16)        |
 * | ["search_done", messageId]                           | batchKey, or {b: batchKey, s: [seq, …]} for the message and its conversation's others in the batch (./erase.ts) |
 * | ["search_erase_gen"]                                 | KvU64: bumped by each erasure; the indexer's batch commit checks it (./search_indexer.ts)              |
 * | ["search_pending", messageId]                        | {c: conversationId, s: seq}: a message not yet indexed, written with it (./search_indexer.ts)          |
 * | ["search_pending_run", messageId]                    | {c, s, n}: seqs s … s+n−1 of one conversation not yet indexed, written with them in one commit        |
 * | ["search_indexer_lease"]                             | {owner, until}: the one instance indexing (./search_indexer.ts)                                        |
 * | ["search_customer", term, conversationId]            | null: a word of its customer's name or email (./search.ts), written with the conversation              |
 * | ["canned_replies", id]                               | CannedReplyRecord (./canned.ts)                                                                        |
 * | ["canned_by_owner", owner, id]                       | null: owner "team" or the agent's id (./canned.ts)                                                     |
 *
 * The list indexes, counters and queue keys are derived from the conversation record and written
 * in the same commit as it (./lists.ts `reindex`; the queue: ./queue.ts; lists are read in
 * ./list_query.ts). A message moves only the entries marked *, and only while the conversation is
 * open (a delete and a set each); state changes move the rest; none is ever a copy of a record.
 */

export const keys = {
  user: (id: string) => ["users", id] as const,
  userByEmail: (email: string) => ["users_by_email", email] as const,
  staff: (id: string) => ["staff", id] as const,
  staffPrefix: () => ["staff"] as const,
  agentState: (id: string) => ["agent_state", id] as const,
  session: (tokenHash: string) => ["sessions", tokenHash] as const,
  conversation: (id: string) => ["conversations", id] as const,
  conversationsPrefix: () => ["conversations"] as const,
  byCustomer: (customerId: string, id: string) =>
    ["conversations_by_customer", customerId, id] as const,
  byCustomerPrefix: (customerId: string) => ["conversations_by_customer", customerId] as const,
  byAssignee: (agentId: string, id: string) => ["conversations_by_assignee", agentId, id] as const,
  byAssigneePrefix: (agentId: string) => ["conversations_by_assignee", agentId] as const,
  waiting: (since: string, id: string) => ["waiting", since, id] as const,
  waitingPrefix: () => ["waiting"] as const,
  waitingAt: (since: string) => ["waiting", since] as const,
  /** The queue's order statistics (./queue.ts). */
  queueTree: (node: number) => ["queue_tree", node] as const,
  queueVersion: () => ["queue_version"] as const,
  /** List indexes (./lists.ts): written in the same commits as the records they point at. */
  byState: (status: string, mode: string, updatedAt: string, id: string) =>
    ["by_state", status, mode, updatedAt, id] as const,
  byStatePrefix: (status: string, mode: string) => ["by_state", status, mode] as const,
  customerOpen: (customerId: string, id: string) => ["by_customer_open", customerId, id] as const,
  customerOpenPrefix: (customerId: string) => ["by_customer_open", customerId] as const,
  customerResolved: (customerId: string, updatedAt: string, id: string) =>
    ["by_customer_resolved", customerId, updatedAt, id] as const,
  customerResolvedPrefix: (customerId: string) => ["by_customer_resolved", customerId] as const,
  assigneeResolved: (agentId: string, updatedAt: string, id: string) =>
    ["by_assignee_resolved", agentId, updatedAt, id] as const,
  assigneeResolvedPrefix: (agentId: string) => ["by_assignee_resolved", agentId] as const,
  byLabel: (label: string, status: string, updatedAt: string, id: string) =>
    ["by_label", label, status, updatedAt, id] as const,
  byLabelPrefix: (label: string, status: string) => ["by_label", label, status] as const,
  /** Filter counts (KvU64, moved with `sum` in the commits that move the lists). */
  countState: (status: string, mode: string) => ["counts", "state", status, mode] as const,
  countAssignee: (agentId: string, status: string) =>
    ["counts", "assignee", agentId, status] as const,
  countLabel: (label: string, status: string) => ["counts", "label", label, status] as const,
  /** Start-up migrations (./migrations.ts). */
  migrations: () => ["migrations"] as const,
  migrationProgress: (version: number) => ["migration_progress", version] as const,
  message: (conversationId: string, seq: number) => ["messages", conversationId, seq] as const,
  /** The old layout's dedupe keys, read and deleted by the migration only (./migrations.ts). */
  clientId: (conversationId: string, authorId: string, clientId: string) =>
    ["client_ids", conversationId, authorId, clientId] as const,
  clientIdsPrefix: () => ["client_ids"] as const,
  signal: (shard: number) => ["signal", shard] as const,
  presence: (agentId: string, presenceId: string) => ["presence", agentId, presenceId] as const,
  presencePrefix: (agentId: string) => ["presence", agentId] as const,
  /** Cross-instance feed (./feed.ts): what changed, and typing/read/sign-outs, in ULID order. */
  feed: (id: string) => ["feed", id] as const,
  feedPrefix: () => ["feed"] as const,
  /** A user's read position in a conversation (./reads.ts). */
  read: (conversationId: string, userId: string) => ["reads", conversationId, userId] as const,
  /** Sign-in throttling (./throttle.ts), shared by every isolate and instance. */
  signInAddress: (address: string) => ["signin_address", address] as const,
  signInAccount: (emailHash: string) => ["signin_account", emailHash] as const,
  /** The write path's probe (/healthz, start-up). */
  health: () => ["health"] as const,
  /** Help-center articles, editable by admins (./help.ts). */
  helpArticle: (slug: string) => ["help_articles", slug] as const,
  helpArticlesPrefix: () => ["help_articles"] as const,
  helpChunk: (slug: string, i: number) => ["help_article_chunks", slug, i] as const,
  helpChunksPrefix: (slug: string) => ["help_article_chunks", slug] as const,
  helpVersion: () => ["help_meta", "version"] as const,
  helpImported: () => ["help_meta", "imported"] as const,
  /** Bot metrics (./bot_stats.ts). `day` is a UTC date, YYYY-MM-DD. */
  botStat: (day: string, counter: string) => ["bot_stats", day, counter] as const,
  botStatsPrefix: () => ["bot_stats"] as const,
  botFeedback: (conversationId: string, seq: number) =>
    ["bot_feedback", conversationId, seq] as const,
  botFeedbackPrefix: (conversationId: string) => ["bot_feedback", conversationId] as const,
  botGap: (id: string) => ["bot_gaps", id] as const,
  botGapsPrefix: () => ["bot_gaps"] as const,
  /** The user a website's own user id was verified as (./visitors.ts). */
  userByExternalId: (externalId: string) => ["users_by_external_id", externalId] as const,
  /** One run-time setting (./settings.ts). */
  setting: (name: string) => ["settings", name] as const,
  /** The outbox (./outbox.ts) and the deliveries made from it (./deliveries.ts). */
  outbox: (id: string) => ["outbox", id] as const,
  outboxPrefix: () => ["outbox"] as const,
  outboxLease: () => ["outbox_lease"] as const,
  webhook: (id: string) => ["webhooks", id] as const,
  webhooksPrefix: () => ["webhooks"] as const,
  delivery: (id: string) => ["deliveries", id] as const,
  deliveriesPrefix: () => ["deliveries"] as const,
  deliveryDue: (dueMs: number, id: string) => ["deliveries_due", dueMs, id] as const,
  deliveriesDuePrefix: () => ["deliveries_due"] as const,
  /** API tokens (./api_tokens.ts). */
  apiToken: (id: string) => ["api_tokens", id] as const,
  apiTokensPrefix: () => ["api_tokens"] as const,
  apiTokenByHash: (hash: string) => ["api_tokens_by_hash", hash] as const,
  /** The audit log (./audit.ts), in ULID order. */
  audit: (id: string) => ["audit", id] as const,
  auditPrefix: () => ["audit"] as const,
  /** CSAT (./ratings.ts): one per conversation (resolved conversations never reopen). */
  rating: (conversationId: string) => ["ratings", conversationId] as const,
  /** Reports (./report_counters.ts): `day` is a UTC date, YYYY-MM-DD. */
  report: (day: string, metric: string) => ["report", day, metric] as const,
  reportPrefix: () => ["report"] as const,
  reportAgent: (day: string, agentId: string, metric: string) =>
    ["report_agent", day, agentId, metric] as const,
  reportAgentPrefix: () => ["report_agent"] as const,
  reportHist: (day: string, kind: string, scope: string, bucket: number) =>
    ["report_hist", day, kind, scope, bucket] as const,
  reportHistPrefix: () => ["report_hist"] as const,
  /** Prefixes of what belongs to one conversation (./belongings.ts). */
  messagesPrefix: (conversationId: string) => ["messages", conversationId] as const,
  clientIdsOf: (conversationId: string) => ["client_ids", conversationId] as const,
  readsPrefix: (conversationId: string) => ["reads", conversationId] as const,
  sessionsPrefix: () => ["sessions"] as const,
  /** A customer's erasure in progress (./erase.ts). */
  erasure: (customerId: string) => ["erasures", customerId] as const,
  erasuresPrefix: () => ["erasures"] as const,
  /** Leases for periodic work (./leases.ts). */
  lease: (name: string) => ["leases", name] as const,
  /** Files uploaded to conversations (./attachments.ts). */
  attachment: (id: string) => ["attachments", id] as const,
  attachmentChunk: (id: string, i: number) => ["attachment_chunks", id, i] as const,
  attachmentChunksPrefix: (id: string) => ["attachment_chunks", id] as const,
  attachmentByConversation: (conversationId: string, id: string) =>
    ["attachments_by_conversation", conversationId, id] as const,
  attachmentsByConversationPrefix: (conversationId: string) =>
    ["attachments_by_conversation", conversationId] as const,
  attachmentUnused: (createdAt: string, id: string) =>
    ["attachments_unused", createdAt, id] as const,
  attachmentsUnusedPrefix: () => ["attachments_unused"] as const,
  attachmentGarbage: (id: string) => ["attachment_garbage", id] as const,
  attachmentGarbagePrefix: () => ["attachment_garbage"] as const,
  /** Conversations snoozed until a time, in wake-up order (./lists.ts, lib/chat/snooze.ts). */
  snoozed: (until: string, id: string) => ["snoozed", until, id] as const,
  snoozedPrefix: () => ["snoozed"] as const,
  /** Private notes of a conversation, by seq (customers' unread skips them: ./reads.ts). */
  note: (conversationId: string, seq: number) => ["notes", conversationId, seq] as const,
  notesPrefix: (conversationId: string) => ["notes", conversationId] as const,
  /** Search terms (./search.ts): a message's words, and its conversation's customer's. */
  searchMessage: (term: string, messageId: string) => ["search_msg", term, messageId] as const,
  searchMessagePrefix: (term: string) => ["search_msg", term] as const,
  /** Messages waiting for the indexer (./search_indexer.ts), in message-id (ULID) order. */
  searchPending: (messageId: string) => ["search_pending", messageId] as const,
  searchPendingPrefix: () => ["search_pending"] as const,
  /** A burst of one conversation's messages committed together: one entry for them all. */
  searchPendingRun: (firstMessageId: string) => ["search_pending_run", firstMessageId] as const,
  searchPendingRunPrefix: () => ["search_pending_run"] as const,
  searchIndexerLease: () => ["search_indexer_lease"] as const,
  /** The indexer batch a message's words are in (./search_indexer.ts), and erasures' counter. */
  searchDone: (messageId: string) => ["search_done", messageId] as const,
  searchDonePrefix: () => ["search_done"] as const,
  searchEraseGen: () => ["search_erase_gen"] as const,
  searchCustomer: (term: string, conversationId: string) =>
    ["search_customer", term, conversationId] as const,
  searchCustomerPrefix: (term: string) => ["search_customer", term] as const,
  /** Canned replies (./canned.ts): the record, and each owner's ("team" or an agent id). */
  cannedReply: (id: string) => ["canned_replies", id] as const,
  cannedByOwner: (owner: string, id: string) => ["canned_by_owner", owner, id] as const,
  cannedByOwnerPrefix: (owner: string) => ["canned_by_owner", owner] as const,
};
