/**
 * @module web/App
 * Dashboard shell. The status panel shows what `/v1/health` really exercised.
 */
import { HealthPanel } from './HealthPanel.tsx';

export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <h1>Orochi Edge</h1>
        <span className="tagline">Serverless HTAP database on the edge</span>
      </header>
      <main>
        <HealthPanel />
      </main>
    </div>
  );
}
