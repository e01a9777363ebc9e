import { describe, expect, it } from 'vitest';
import { isAppUrl, isSafeExternal } from './navigation';

describe('navigation and IPC sender guards', () => {
  it('knows our own pages (Node gives app:// the origin "null"), and treats an unparsable URL as foreign', () => {
    expect(new URL('app://studio/index.html').origin).toBe('null'); // why isAppUrl cannot compare origins
    expect(isAppUrl('app://studio/index.html')).toBe(true);
    expect(isAppUrl('app://studio/#/builds')).toBe(true);
    for (const url of ['app://studio.evil/index.html', 'https://studio/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('opens only https links in the user browser', () => {
    expect(isSafeExternal('https://docs.docker.com/build/')).toBe(true);
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url']) {
      expect(isSafeExternal(url), url).toBe(false);
    }
  });
});
