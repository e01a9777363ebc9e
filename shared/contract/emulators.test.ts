import { describe, expect, it } from 'vitest';
import { EMULATOR_ARCHITECTURES } from '../domain/binfmt/architectures';
import { emulatorsContract } from './emulators';

describe('emulators inputs', () => {
  it('bounds the architectures to forget', () => {
    const input = emulatorsContract.forget.input;
    expect(input.safeParse({ architectures: ['arm64'] }).success).toBe(true);
    expect(input.safeParse({ architectures: Array.from({ length: EMULATOR_ARCHITECTURES.length + 1 }, () => 'arm64') }).success).toBe(false);
    expect(input.safeParse({ architectures: ['--all'] }).success).toBe(false);
  });
});
