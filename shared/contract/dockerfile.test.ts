import { describe, expect, it } from 'vitest';
import { preflightInput } from './dockerfile';

const base = { contextDir: '/src/app', platforms: ['linux/amd64'] };

describe('preflight input', () => {
  it('refuses build argument values with newlines, as the build itself does', () => {
    const r = preflightInput.safeParse({ ...base, buildArgs: { V: 'one\ntwo' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('buildArgs.V');
    expect(preflightInput.safeParse({ ...base, buildArgs: { V: 'one two' } }).success).toBe(true);
  });

  it('bounds the number of build arguments', () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`A${i}`, 'v']));
    expect(preflightInput.safeParse({ ...base, buildArgs: many }).success).toBe(false);
    const enough = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`A${i}`, 'v']));
    expect(preflightInput.safeParse({ ...base, buildArgs: enough }).success).toBe(true);
  });
});
