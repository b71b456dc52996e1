import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret bound to its context', () => {
    const envelope = box.encrypt('whsec_abc', 'app-1');
    expect(envelope).not.toContain('whsec_abc');
    expect(box.decrypt(envelope, 'app-1')).toBe('whsec_abc');
  });

  it('refuses a ciphertext moved to another context', () => {
    const envelope = box.encrypt('whsec_abc', 'app-1');
    expect(() => box.decrypt(envelope, 'app-2')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const envelope = box.encrypt('whsec_abc', 'app-1');
    const parts = envelope.split('.');
    parts[3] = Buffer.from('x' + parts[3]).toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'app-1')).toThrow();
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
