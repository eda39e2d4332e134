/** Per-lab error boundary: a render error shows what happened and a reset, never a blank page. */
import { Component, type ReactNode } from 'react';

export class ErrorBoundary extends Component<
  { children: ReactNode; onReset: () => void },
  { error: Error | null }
> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="error-panel">
        <h2>Something went wrong in this lab</h2>
        <p>{this.state.error.message}</p>
        <p>Your settings are still in the address bar.</p>
        <button
          type="button"
          onClick={() => {
            this.setState({ error: null });
            this.props.onReset();
          }}
        >
          Reset lab
        </button>
      </div>
    );
  }
}
