import { describe, expect, it } from 'vitest';
import { applyChunk, type Operation } from './emulators-store';

const start: Operation = { action: 'install', architectures: ['riscv64'], command: 'docker run …', state: 'running', phase: '', lines: [], pull: {} };

describe('emulators store: progress chunks', () => {
  it('keeps phases and installer lines in order, pull progress per layer', () => {
    let op = applyChunk(start, { kind: 'phase', phase: 'pull', message: 'Pulling x for linux/amd64' });
    op = applyChunk(op, { kind: 'pull', id: 'a1', status: 'Downloading', progress: '[=>   ] 1MB/4MB' });
    op = applyChunk(op, { kind: 'pull', id: 'a1', status: 'Pull complete' });
    op = applyChunk(op, { kind: 'output', stream: 'stderr', line: 'installing: riscv64 OK' });
    expect(op.phase).toBe('Pulling x for linux/amd64');
    expect(op.pull).toEqual({ a1: 'a1 Pull complete' });
    expect(op.lines.map((l) => `${l.stream}:${l.text}`)).toEqual(['info:Pulling x for linux/amd64', 'stderr:installing: riscv64 OK']);
    expect(start.lines).toEqual([]);
  });

  it('bounds the lines it keeps', () => {
    let op = start;
    for (let i = 0; i < 1000; i++) op = applyChunk(op, { kind: 'output', stream: 'stdout', line: String(i) });
    expect(op.lines).toHaveLength(300);
    expect(op.lines[0]?.text).toBe('700');
  });
});
