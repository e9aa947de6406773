/**
 * The admin page's operations: webhooks and their deliveries (with Redeliver), API tokens, and
 * the audit log. Each card loads its own data from the API when the page hydrates.
 */
import { WebhooksCard } from "../components/WebhooksCard.tsx";
import { TokensCard } from "../components/TokensCard.tsx";
import { AuditCard } from "../components/AuditCard.tsx";

export default function OperationsPanel() {
  return (
    <div class="admin">
      <WebhooksCard />
      <TokensCard />
      <AuditCard />
    </div>
  );
}
