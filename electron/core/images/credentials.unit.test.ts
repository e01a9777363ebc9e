import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HUB_SERVER, DockerCredentials, engineAuthConfig, hostnameOf, serverAddressFor } from './credentials';

// A temporary DOCKER_CONFIG with a real config.json, and a fake credential helper script on PATH
// (fault injection: the real helpers need a desktop keyring).
let root: string;
let configDir: string;
let binDir: string;
let emptyHome: string;

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function writeConfig(config: unknown) {
  await writeFile(join(configDir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
}

function credentials(extraEnv: Record<string, string> = {}) {
  return new DockerCredentials({
    env: { PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`, DOCKER_CONFIG: configDir, ...extraEnv },
    homeDir: emptyHome,
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mas-test-creds-'));
  configDir = join(root, 'docker-config');
  binDir = join(root, 'bin');
  emptyHome = join(root, 'home');
  await Promise.all([mkdir(configDir), mkdir(binDir), mkdir(emptyHome)]);
  // Answers like docker-credential-pass: the server address arrives on stdin; the log proves it did.
  await writeFile(
    join(binDir, 'docker-credential-fake'),
    `#!/bin/sh
[ "$1" = get ] || { echo "unknown action $1" >&2; exit 1; }
read -r server
printf '%s\\n' "$server" >> "${root}/helper-calls.log"
case "$server" in
  ghcr.io) printf '{"ServerURL":"ghcr.io","Username":"octo","Secret":"s3cret"}' ;;
  ${DOCKER_HUB_SERVER}) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-abc"}' "$server" ;;
  broken.example) echo 'not json' ;;
  crash.example) echo 'the keyring is locked' >&2; exit 3 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
  );
  await chmod(join(binDir, 'docker-credential-fake'), 0o755);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('server addresses', () => {
  it('stores Docker Hub under the v1 index address and matches keys by host', () => {
    expect(serverAddressFor('docker.io')).toBe(DOCKER_HUB_SERVER);
    expect(serverAddressFor('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(hostnameOf('https://index.docker.io/v1/')).toBe('docker.io');
    expect(hostnameOf('https://myreg.example:5000/v2/')).toBe('myreg.example:5000');
    expect(hostnameOf('http://127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});

describe('config.json auths', () => {
  it('decodes base64 user:password (the password may contain colons)', async () => {
    await writeConfig({ auths: { '127.0.0.1:5000': { auth: b64('alice:pa:ss') }, [DOCKER_HUB_SERVER]: { auth: b64('hubuser:hubpass') } } });
    const c = credentials();
    expect(await c.lookup('127.0.0.1:5000')).toEqual({ credentials: { username: 'alice', password: 'pa:ss', source: 'config.json auths' } });
    expect((await c.lookup('docker.io')).credentials).toMatchObject({ username: 'hubuser', password: 'hubpass' });
    expect(await c.lookup('ghcr.io')).toEqual({});
  });

  it('matches an entry written with a scheme and path', async () => {
    await writeConfig({ auths: { 'https://myreg.example:5000/v1/': { auth: b64('bob:pw') } } });
    expect((await credentials().lookup('myreg.example:5000')).credentials).toMatchObject({ username: 'bob', password: 'pw' });
  });

  it('uses identity and registry tokens', async () => {
    await writeConfig({ auths: { 'a.example': { identitytoken: 'id-tok', username: 'u' }, 'b.example': { registrytoken: 'reg-tok' } } });
    const c = credentials();
    expect((await c.lookup('a.example')).credentials).toMatchObject({ identityToken: 'id-tok' });
    expect((await c.lookup('b.example')).credentials).toMatchObject({ registryToken: 'reg-tok' });
    expect(engineAuthConfig((await c.lookup('b.example')).credentials, 'b.example')).toEqual({ registrytoken: 'reg-tok', serveraddress: 'b.example' });
  });

  it('reports a corrupt entry or file and goes on anonymously', async () => {
    await writeConfig({ auths: { 'c.example': { auth: b64('no-colon-here') } } });
    expect(await credentials().lookup('c.example')).toEqual({ problem: expect.stringMatching(/not base64 of user:password/) });
    await writeConfig('{ not json');
    expect(await credentials().lookup('c.example')).toEqual({ problem: expect.stringMatching(/config.json is not valid JSON/) });
  });

  it('is anonymous without a config file, and reads ~/.docker when DOCKER_CONFIG is unset', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mas-test-home-'));
    try {
      const none = new DockerCredentials({ env: {}, homeDir: home });
      expect(await none.lookup('127.0.0.1:5000')).toEqual({});
      await mkdir(join(home, '.docker'));
      await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth: b64('h:p') } } }));
      expect((await none.lookup('127.0.0.1:5000')).credentials).toMatchObject({ username: 'h', password: 'p' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('credential helpers', () => {
  it('runs docker-credential-<credsStore> get with the server address on stdin', async () => {
    await writeConfig({ credsStore: 'fake', auths: { 'ghcr.io': {} } });
    const c = credentials();
    expect(await c.lookup('ghcr.io')).toEqual({ credentials: { username: 'octo', password: 's3cret', source: 'credential helper "fake"' } });
    // Docker Hub: asked under the v1 address; a `<token>` user means an identity token.
    expect(await c.lookup('docker.io')).toEqual({ credentials: { identityToken: 'refresh-abc', source: 'credential helper "fake"' } });
    // "credentials not found" is the protocol's way of saying anonymous.
    expect(await c.lookup('127.0.0.1:5000')).toEqual({});
    expect((await readFile(join(root, 'helper-calls.log'), 'utf8')).split('\n')).toEqual(
      expect.arrayContaining(['ghcr.io', DOCKER_HUB_SERVER, '127.0.0.1:5000']),
    );
  });

  it('prefers credHelpers[host] over credsStore and over auths', async () => {
    await writeConfig({ credsStore: 'missing-store', credHelpers: { 'ghcr.io': 'fake' }, auths: { 'ghcr.io': { auth: b64('file:user') } } });
    expect((await credentials().lookup('ghcr.io')).credentials).toMatchObject({ username: 'octo', source: 'credential helper "fake"' });
  });

  it('says what went wrong with a helper', async () => {
    await writeConfig({ credsStore: 'fake' });
    expect(await credentials().lookup('crash.example')).toEqual({ problem: 'docker-credential-fake get failed (exit 3): the keyring is locked' });
    expect(await credentials().lookup('broken.example')).toEqual({ problem: expect.stringMatching(/not its JSON answer/) });
    await writeConfig({ credsStore: 'nothere' });
    expect(await credentials().lookup('ghcr.io')).toEqual({ problem: expect.stringMatching(/docker-credential-nothere is configured .* but is not on PATH/) });
    await writeConfig({ credsStore: '../../bin/sh' });
    expect(await credentials().lookup('ghcr.io')).toEqual({ problem: expect.stringMatching(/not valid/) });
  });
});
