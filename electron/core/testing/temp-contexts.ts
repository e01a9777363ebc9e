import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Build contexts of a few files, each in its own temp folder; `removeAll` deletes every one made. */
export function tempContexts(): { make(files: Record<string, string>): Promise<string>; removeAll(): Promise<void> } {
  const dirs: string[] = [];
  return {
    async make(files) {
      const dir = await mkdtemp(join(tmpdir(), 'mas-test-ctx-'));
      dirs.push(dir);
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      return dir;
    },
    async removeAll() {
      for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    },
  };
}
