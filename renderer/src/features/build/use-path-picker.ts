import { useEffect, useState } from 'react';
import type { Api } from '../../../../shared/contract';
import type { AppAbout, PickPathInput } from '../../../../shared/contract/app';
import { api } from '../../api';
import { toProblem, type Problem } from '../../stores/problem';

const abouts = new WeakMap<Api, Promise<AppAbout>>();
const aboutOf = (client: Api) => {
  const known = abouts.get(client) ?? client.app.about({});
  abouts.set(client, known);
  return known;
};

/**
 * Native open dialogs of the desktop shell (app.pickPath). `native` is false in headless mode,
 * where the page offers its own folder browser instead.
 */
export function usePathPicker() {
  const [native, setNative] = useState<boolean | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>();

  useEffect(() => {
    let stale = false;
    aboutOf(api()).then(
      (about) => !stale && setNative(about.mode === 'desktop'),
      () => !stale && setNative(false),
    );
    return () => {
      stale = true;
    };
  }, []);

  const pick = async (input: PickPathInput): Promise<string | undefined> => {
    try {
      const picked = await api().app.pickPath(input);
      setProblem(undefined);
      return picked.path;
    } catch (error) {
      setProblem(toProblem(error));
      return undefined;
    }
  };

  return { known: native !== undefined, native: native === true, pick, problem };
}
