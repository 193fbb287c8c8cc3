/**
 * Counts failed sign-ins per account and per address in a sliding window. Past the limit, further
 * attempts are refused (429) until the oldest failure leaves the window. Kept in memory: it protects
 * one running app; a restart forgets it.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxPerAccount: number,
    private readonly windowMs: number,
    // An office behind one NAT address shares it, so an address gets more room than an account.
    private readonly maxPerAddress = maxPerAccount * 4,
  ) {}

  /** Minutes to wait, or 0 when this account and address may try now. */
  waitMinutes(email: string, ip: string, now = Date.now()): number {
    const waits = [
      this.wait(`account:${email.toLowerCase()}`, this.maxPerAccount, now),
      this.wait(`address:${ip}`, this.maxPerAddress, now),
    ];
    return Math.max(...waits);
  }

  fail(email: string, ip: string, now = Date.now()): void {
    for (const key of [`account:${email.toLowerCase()}`, `address:${ip}`]) {
      this.failures.set(key, [...this.recent(key, now), now]);
    }
  }

  succeed(email: string): void {
    this.failures.delete(`account:${email.toLowerCase()}`);
  }

  private wait(key: string, max: number, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < max) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - max] + this.windowMs - now) / 60_000));
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
  }
}
