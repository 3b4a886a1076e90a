/** Values the workerd test globalSetup (Node) provides to the pool config and tests. */
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    pgWsProxy: string;
    pgDatabaseUrl: string;
    /** Random-query plan and PostgreSQL's recorded answers (tagged JSON; see random-queries-oracle.ts). */
    rqgOracle: string;
    /** Base URL of the webhook receiver (test/workerd/webhook-receiver.ts). */
    cdcReceiver: string;
  }
}
