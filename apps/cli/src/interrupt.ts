// Ctrl-C for long commands: the first SIGINT aborts a signal that the library stops on
// cleanly (scraping keeps saved songs, training saves a checkpoint, generation ends).

/** An AbortSignal fired by the first SIGINT; `dispose()` removes the handler. */
export function abortOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
