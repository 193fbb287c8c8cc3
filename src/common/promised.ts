/** Turns a Node-style callback API (express-session's) into a promise. */
export function promised(start: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    start((error) =>
      error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(),
    ),
  );
}
