/** @module web/pages/StatusPage — public system status (no sign-in needed). */
import { HealthPanel } from './HealthPanel.tsx';

export function StatusPage() {
  return (
    <>
      <h1>Status</h1>
      <HealthPanel />
    </>
  );
}
