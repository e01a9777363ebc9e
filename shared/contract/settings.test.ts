import { describe, expect, it } from 'vitest';
import { settingsPatch, settingsSchema } from './settings';

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
