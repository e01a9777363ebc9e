import { describe, expect, it } from 'vitest';
import { settingsPatch, settingsSchema, userSettingsPatch } from './settings';
import { changeInput } from './emulators';
import { MAX_REFERENCE_LENGTH } from '../domain/image-reference';

describe('settings patch', () => {
  it('carries only what it mentions (no defaults filled in)', () => {
    expect(settingsPatch.parse({ emulators: { consentedImage: 'x/binfmt:1' } })).toEqual({ emulators: { consentedImage: 'x/binfmt:1' } });
    expect(settingsPatch.parse({ builders: {} })).toEqual({ builders: {} });
    expect(settingsPatch.parse({})).toEqual({});
  });

  it('still validates each field it carries', () => {
    expect(settingsPatch.safeParse({ emulators: { installerImage: '--privileged' } }).success).toBe(false);
    expect(settingsPatch.safeParse({ emulators: { autoRestore: 'yes' } }).success).toBe(false);
    expect(settingsSchema.parse({}).emulators.installerImage).toBe('tonistiigi/binfmt:latest');
  });
});

describe('bounds on what the renderer may store', () => {
  it('refuses unbounded or malformed smoke commands and remembered lists', () => {
    expect(userSettingsPatch.safeParse({ results: { smokeCommand: Array.from({ length: 65 }, () => 'x') } }).success).toBe(false);
    expect(userSettingsPatch.safeParse({ results: { smokeCommand: ['x'.repeat(4097)] } }).success).toBe(false);
    expect(userSettingsPatch.safeParse({ results: { smokeCommand: ['sh', '\0'] } }).success).toBe(false);
    expect(userSettingsPatch.safeParse({ results: { smokeCommand: ['uname', '-m'] } }).success).toBe(true);
    expect(userSettingsPatch.safeParse({ emulators: { remembered: Array.from({ length: 33 }, () => 'arm64') } }).success).toBe(false);
    expect(userSettingsPatch.safeParse({ emulators: { remembered: ['arm64', 'riscv64'] } }).success).toBe(true);
  });

  it('bounds the consented image', () => {
    expect(changeInput.safeParse({ architectures: ['arm64'], consent: { image: 'x'.repeat(MAX_REFERENCE_LENGTH + 1) } }).success).toBe(false);
    expect(changeInput.safeParse({ architectures: ['arm64'], consent: { image: 'tonistiigi/binfmt:latest' } }).success).toBe(true);
  });
});
