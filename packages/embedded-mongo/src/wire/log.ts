/**
 * Protocol problems are the client's fault and must not spam production logs,
 * so they are printed only when debugging is asked for
 * (`DEBUG=embedded-mongo` or `DEBUG=*`, or `LOG_LEVEL=debug`).
 */
function enabled(): boolean {
  const debug = process.env.DEBUG ?? '';
  return (
    process.env.LOG_LEVEL === 'debug' ||
    debug === '*' ||
    debug.split(',').some((name) => name.trim() === 'embedded-mongo')
  );
}

export function debugLog(message: string): void {
  if (enabled()) console.debug(`[embedded-mongo] ${message}`);
}
