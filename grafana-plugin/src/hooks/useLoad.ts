// Loads data for a page once its inputs are known, keeps the last result while reloading, and drops answers that
// arrive after the page moved on.
import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { toGatewayError, type GatewayError } from '../api/errors';

export interface Loaded<T> {
  value: T | undefined;
  error: GatewayError | undefined;
  loading: boolean;
  /** Loads again with the same inputs. */
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: GatewayError; loading: boolean }>({ loading: true });
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const call = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (value) => call === latest.current && setState({ value, loading: false }),
      (error: unknown) => call === latest.current && setState((previous) => ({ value: previous.value, error: toGatewayError(error), loading: false })),
    );
    // `load` is a fresh closure each render; its inputs are `deps`.
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { value: state.value, error: state.error, loading: state.loading, reload };
}
