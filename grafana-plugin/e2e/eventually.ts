// Polling for the browser and preview tests: playwright-core and the preview's endpoints have no assertions that wait.

/** Runs `check` until it returns without throwing, every `everyMs`; after `timeoutMs` its last error is thrown. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
