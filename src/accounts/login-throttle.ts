import { rememberNewest } from '../common/bounded-map';

/** Keys (accounts and addresses) remembered at most; past it the least recently failed go first. */
export const LOGIN_THROTTLE_KEYS = 100_000;

/**
 * Counts failed sign-ins per account and per address in a sliding window. Past the limit, further
 * attempts are refused (429) until the oldest failure leaves the window. Kept in memory: it protects
 * one running app; a restart forgets it.
 *
 * `begin()` checks and counts in one step, before the (slow) password check: twenty wrong passwords
 * sent at once cannot all pass the check while none has been counted yet. A success takes its own
 * count back. Memory is bounded: a key is dropped once its newest failure leaves the window, each key
 * keeps only the failures that decide its wait, and at most LOGIN_THROTTLE_KEYS keys are kept.
 */
export class LoginThrottle {
  /** Failure times per key, oldest first; the map is ordered by each key's newest failure. */
  private readonly failures = new Map<string, number[]>();
  /** Per address, when a refusal was last written to the audit trail and how many came since. */
  private readonly refusals = new Map<string, { recordedAt: number; since: number }>();

  constructor(
    private readonly maxPerAccount: number,
    private readonly windowMs: number,
    // An office behind one NAT address shares it, so an address gets more room than an account.
    private readonly maxPerAddress = maxPerAccount * 4,
    private readonly maxKeys = LOGIN_THROTTLE_KEYS,
  ) {}

  /** Minutes to wait, or 0 when this account and address may try now. Counts nothing. */
  waitMinutes(email: string, ip: string, now = Date.now()): number {
    const waits = [
      this.wait(accountKey(email), this.maxPerAccount, now),
      this.wait(addressKey(ip), this.maxPerAddress, now),
    ];
    return Math.max(...waits);
  }

  /**
   * Minutes to wait (nothing counted), or 0: the attempt may go on and is counted as a failure
   * now, until `succeed(email, ip, now)` with the same `now` takes it back.
   */
  begin(email: string, ip: string, now = Date.now()): number {
    const wait = this.waitMinutes(email, ip, now);
    if (wait === 0) this.fail(email, ip, now);
    return wait;
  }

  fail(email: string, ip: string, now = Date.now()): void {
    this.add(accountKey(email), this.maxPerAccount, now);
    this.add(addressKey(ip), this.maxPerAddress, now);
  }

  /**
   * Counts a refused (throttled) attempt from `ip`. Returns how many refusals the audit event to
   * write now stands for, or 0 when one was written for this address within the window: that
   * refusal is counted into the address's next event instead. So an address adds at most one
   * event per window to the append-only trail, however many attempts it sends.
   */
  refused(ip: string, now = Date.now()): number {
    const key = addressKey(ip);
    const entry = this.refusals.get(key);
    if (entry && now - entry.recordedAt < this.windowMs) {
      entry.since += 1;
      return 0;
    }
    rememberNewest(
      this.refusals,
      key,
      { recordedAt: now, since: 0 },
      {
        max: this.maxKeys,
        stale: ({ recordedAt }) => now - recordedAt >= 2 * this.windowMs,
      },
    );
    return (entry?.since ?? 0) + 1;
  }

  /** Forgets the account's failures, and the address's count of the attempt begun at `startedAt`. */
  succeed(email: string, ip?: string, startedAt?: number): void {
    this.failures.delete(accountKey(email));
    if (ip === undefined || startedAt === undefined) return;
    const times = this.failures.get(addressKey(ip));
    const index = times?.lastIndexOf(startedAt) ?? -1;
    if (times && index >= 0) times.splice(index, 1);
  }

  /** How many keys are remembered (for the bound's test). */
  get size(): number {
    return this.failures.size + this.refusals.size;
  }

  /** Forgets every count: an operator's reset, and a clean start for each test case. */
  clear(): void {
    this.failures.clear();
    this.refusals.clear();
  }

  private add(key: string, max: number, now: number): void {
    // A key whose newest failure has left the window decides nothing any more.
    rememberNewest(this.failures, key, [...this.recent(key, now), now].slice(-max), {
      max: this.maxKeys,
      stale: (times) => now - times[times.length - 1] >= this.windowMs,
    });
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

const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
const addressKey = (ip: string) => `address:${ip}`;
