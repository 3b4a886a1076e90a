/** @module web/pages/NotFoundPage — deep links the SPA does not know. */
import { Link } from '../router/router.tsx';

export function NotFoundPage() {
  return (
    <section className="panel">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link to="/databases">Go to databases</Link>
    </section>
  );
}
