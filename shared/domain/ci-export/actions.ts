/**
 * The actions an exported workflow may use, each pinned to a major version: the one allow-list.
 * Majors checked against each action's own releases and README on 2026-12-06 (newest tags:
 * checkout v7.0.1, setup-qemu v4.2.0, setup-buildx v4.3.0, login v4.1.0, build-push v7.3.0,
 * bake v7.1.0, upload-artifact v7.0.0, download-artifact v8.0.1). A major pin takes the
 * maintainers' fixes and never a breaking change.
 */
export const PINNED_ACTIONS = {
  checkout: 'actions/checkout@v7',
  setupQemu: 'docker/setup-qemu-action@v4',
  setupBuildx: 'docker/setup-buildx-action@v4',
  login: 'docker/login-action@v4',
  buildPush: 'docker/build-push-action@v7',
  bake: 'docker/bake-action@v7',
  uploadArtifact: 'actions/upload-artifact@v7',
  downloadArtifact: 'actions/download-artifact@v8',
} as const;

export type PinnedAction = (typeof PINNED_ACTIONS)[keyof typeof PINNED_ACTIONS];

export const isPinnedAction = (uses: string): uses is PinnedAction => (Object.values(PINNED_ACTIONS) as string[]).includes(uses);
