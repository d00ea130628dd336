const began = performance.now();

/** A progress line on stderr (stdout carries only the table): elapsed time, scenario, message. */
export function progress(scenario: string, message: string): void {
  const elapsed = ((performance.now() - began) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${elapsed}s] ${scenario}: ${message}\n`);
}

/** Elapsed seconds of the whole run. */
export function elapsedSeconds(): number {
  return (performance.now() - began) / 1000;
}
