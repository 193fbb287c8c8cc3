import { hashPassword, passwordProblem, verifyPassword } from './passwords';

describe(passwordProblem.name, () => {
  it.each([
    ['', /Enter a password/],
    ['short-pass1', /at least 12 characters/],
    ['x'.repeat(257), /at most 256 characters/],
    ['qwerty123456', /too common/],
    ['Password2024!', /too common/],
    ['aaaaaaaaaaaaaaa', /too common/],
    ['grace.hopper-rocks-42', /email address/],
  ])('should refuse %p', (password, message) => {
    expect(passwordProblem(password, 'grace.hopper@example.gov')).toMatch(message);
  });

  it('should accept a long passphrase of unrelated words, up to 256 characters', () => {
    expect(passwordProblem('ledger cobalt harbour violin', 'pm@example.gov')).toBeNull();
    expect(passwordProblem('z'.repeat(100) + 'Q7!' + 'y'.repeat(125))).toBeNull();
  });
});

describe('password hashing', () => {
  it('should hash with argon2id and verify only the right password', async () => {
    const hash = await hashPassword('ledger cobalt harbour violin');
    expect(hash).toMatch(/^\$argon2id\$/);
    await expect(verifyPassword(hash, 'ledger cobalt harbour violin')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'ledger cobalt harbour viola')).resolves.toBe(false);
    await expect(verifyPassword('not a hash', 'anything')).resolves.toBe(false);
  });
});
