import { describe, expect, it } from 'vitest';
import { PlatformGraph } from './platform-graph';

describe('PlatformGraph', () => {
  it('inherits along inputs, and re-resolves when a missing input arrives later', () => {
    const g = new PlatformGraph();
    expect(g.setVertex('run2', undefined, ['run1'])).toEqual([]);
    expect(g.setVertex('run1', undefined, ['copy'])).toEqual([]);
    expect(g.platformOf('run2')).toBeUndefined();
    // The prefixed root arrives last: everything downstream changes, in order.
    expect(g.setVertex('copy', 'linux/arm64', ['context'])).toEqual(['copy', 'run1', 'run2']);
    expect(g.platformOf('run2')).toBe('linux/arm64');
    expect(g.sourceOf('run2')).toBe('inputs');
    expect(g.sourceOf('copy')).toBe('name');
  });

  it('treats shared inputs as neutral and mixed platforms as shared', () => {
    const g = new PlatformGraph();
    g.setVertex('ctx', undefined, []);
    g.setVertex('a', 'linux/amd64', []);
    g.setVertex('b', 'linux/arm64', []);
    g.setVertex('run', undefined, ['a', 'ctx']);
    g.setVertex('merge', undefined, ['a', 'b']);
    g.setVertex('after-merge', undefined, ['merge']);
    expect(g.platformOf('run')).toBe('linux/amd64');
    expect(g.platformOf('merge')).toBeUndefined();
    expect(g.platformOf('after-merge')).toBeUndefined();
    // Inputs change: the merge now has one platform, and so does what follows it.
    expect(g.setVertex('merge', undefined, ['b', 'ctx'])).toEqual(['merge', 'after-merge']);
    expect(g.platformOf('after-merge')).toBe('linux/arm64');
  });

  it('uses the fallback only when neither name nor inputs say', () => {
    const g = new PlatformGraph();
    g.setVertex('from', undefined, [], 'linux/riscv64');
    g.setVertex('run', undefined, ['from']);
    expect([g.platformOf('run'), g.sourceOf('run'), g.sourceOf('from')]).toEqual(['linux/riscv64', 'inputs', 'requested']);
    g.setVertex('own', 'linux/s390x', [], 'linux/riscv64');
    expect(g.platformOf('own')).toBe('linux/s390x');
  });

  it('does work proportional to what changes, not to the graph', () => {
    const n = 20_000;
    const g = new PlatformGraph();
    // Worst case for late inputs: a long chain announced leaf-first, its prefixed root last.
    for (let i = n - 1; i >= 1; i--) g.setVertex(`v${i}`, undefined, [`v${i - 1}`]);
    const before = g.resolutions;
    expect(before).toBe(n - 1);
    const changed = g.setVertex('v0', 'linux/arm64', []);
    expect(changed).toHaveLength(n);
    expect(g.platformOf(`v${n - 1}`)).toBe('linux/arm64');
    expect(g.resolutions - before).toBe(n);

    // Repeated, unchanged records (every started/completed update) cost nothing.
    const steady = g.resolutions;
    for (let i = 0; i < n; i++) g.setVertex(`v${i}`, i === 0 ? 'linux/arm64' : undefined, i === 0 ? [] : [`v${i - 1}`]);
    expect(g.resolutions).toBe(steady);

    // A new leaf costs one resolution however big the graph is.
    g.setVertex('leaf', undefined, [`v${n - 1}`]);
    expect(g.resolutions).toBe(steady + 1);
    expect(g.platformOf('leaf')).toBe('linux/arm64');
  });

  it('terminates on cycles from malformed input', () => {
    const g = new PlatformGraph();
    g.setVertex('a', undefined, ['b']);
    g.setVertex('b', undefined, ['a']);
    g.setVertex('self', undefined, ['self']);
    expect(() => g.setVertex('c', 'linux/amd64', [])).not.toThrow();
    g.setVertex('a', undefined, ['b', 'c']);
    expect(g.platformOf('a')).toBe('linux/amd64');
    expect(g.platformOf('b')).toBe('linux/amd64');
  });
});
