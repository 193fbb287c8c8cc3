import type { Agent } from './test-app';

/**
 * GETs a download and keeps its exact bytes (supertest does not buffer text/csv or workbooks into
 * `text`): the response and its body as a Buffer.
 */
export async function download(agent: Agent, path: string) {
  const res = await agent
    .get(path)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { res, bytes: res.body as Buffer };
}
