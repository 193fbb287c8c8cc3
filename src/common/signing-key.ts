import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The app's secret (SESSION_SECRET, or a random one per start): it signs the session cookie, the
 * anonymous CSRF token and anything the app hands a browser to bring back unchanged (an import
 * preview's commit token). Several instances must share SESSION_SECRET to accept each other's.
 */
export class SigningKey {
  readonly secret: string;

  constructor(secret?: string) {
    this.secret = secret ?? randomBytes(32).toString('hex');
  }

  sign(purpose: string, text: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}:${text}`).digest('base64url');
  }

  verify(purpose: string, text: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(purpose, text));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
