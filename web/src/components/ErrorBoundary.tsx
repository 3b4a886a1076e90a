/**
 * @module web/components/ErrorBoundary
 * Catches a render error in one page or panel and shows it as a readable
 * alert with a retry, so one broken view never blanks the whole dashboard.
 * `resetKey` (e.g. the path, or the result shown) clears the error when it changes.
 * React itself logs the error with its component stack to the console.
 */
import { Component, type ReactNode } from 'react';

interface Props {
  /** What failed, for the message: "the chart", "this page". */
  what: string;
  resetKey?: unknown;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidUpdate(prev: Props) {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="alert error" data-testid="render-error">
        <strong>Could not show {this.props.what}.</strong> <span>{error.message || error.name}</span>{' '}
        <button type="button" className="link" onClick={() => this.setState({ error: null })}>
          Retry
        </button>
      </div>
    );
  }
}
