import { createHash } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { makeExpenditure, makeGrantWithProgram } from './helpers/factories';
import { csrfTokenIn, freshAppPerTest } from './helpers/test-app';
import { TEST_PASSWORD } from './helpers/users';

const AS_OF = '2026-06-30';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The response exactly as sent on the wire: node's http client never decompresses. */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ res: IncomingMessage; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ res, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * Responses are gzip-compressed when the client asks (issue 15), and a compressed CSV download is
 * still the exact file its manifest describes.
 */
describe('Compressed responses', () => {
  const t = freshAppPerTest();
  let base: string;
  let cookie: string;

  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  beforeEach(async () => {
    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get('/login');
    const login = await agent
      .post('/login')
      .type('form')
      .send({
        email: 'manager@example.gov',
        password: TEST_PASSWORD,
        _csrf: csrfTokenIn(form.text),
      });
    expect(login.status).toBe(303);
    const setCookie = login.headers['set-cookie'] as unknown as string[];
    cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  });

  it('should gzip a page when the client accepts gzip, and not when it does not', async () => {
    const zipped = await rawGet(base, '/grants', { Cookie: cookie, 'Accept-Encoding': 'gzip' });
    expect(zipped.res.statusCode).toBe(200);
    expect(zipped.res.headers['content-encoding']).toBe('gzip');
    expect(zipped.res.headers.vary).toMatch(/Accept-Encoding/i);
    const html = gunzipSync(zipped.bytes).toString('utf8');
    expect(html).toContain('<h1');
    expect(zipped.bytes.length).toBeLessThan(Buffer.byteLength(html));

    const plain = await rawGet(base, '/grants', { Cookie: cookie, 'Accept-Encoding': 'identity' });
    expect(plain.res.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes.toString('utf8')).toContain('<h1');
  });

  it('should stream a gzipped CSV whose decompressed bytes are the ones its manifest hashes', async () => {
    const { grant } = await makeGrantWithProgram(t);
    for (let i = 0; i < 600; i += 1) {
      await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: 1_000 + i,
        incurredOn: '2025-05-15',
        memo: `Assay batch ${i} — leach residue, ion-exchange resin and shipping`,
        recordedAt: '2026-06-01T15:00:00.000Z',
      });
    }
    for (const bom of ['', '&bom=1']) {
      const path = `/reports/ledger.csv?asOf=${AS_OF}${bom}`;
      const zipped = await rawGet(base, path, { Cookie: cookie, 'Accept-Encoding': 'gzip' });
      expect(zipped.res.statusCode).toBe(200);
      expect(zipped.res.headers['content-encoding']).toBe('gzip');
      expect(zipped.res.headers['transfer-encoding']).toBe('chunked');
      const bytes = gunzipSync(zipped.bytes);
      const manifest = await rawGet(base, `/reports/ledger.manifest.json?asOf=${AS_OF}${bom}`, {
        Cookie: cookie,
      });
      const described = JSON.parse(manifest.bytes.toString('utf8')) as {
        sha256: string;
        bytes: number;
        row_count: number;
      };
      expect(described.row_count).toBe(600);
      expect(described.bytes).toBe(bytes.length);
      expect(sha256(bytes)).toBe(described.sha256);
      expect(zipped.bytes.length).toBeLessThan(bytes.length / 3);
    }
  });

  it('should compress a stylesheet but not an already-compressed PNG', async () => {
    const css = await rawGet(base, '/assets/uswds/css/uswds.min.css', {
      'Accept-Encoding': 'gzip',
    });
    expect(css.res.headers['content-encoding']).toBe('gzip');
    const png = await rawGet(base, '/assets/uswds/img/favicons/favicon-16.png', {
      'Accept-Encoding': 'gzip',
    });
    expect(png.res.statusCode).toBe(200);
    expect(png.res.headers['content-encoding']).toBeUndefined();
  });
});
