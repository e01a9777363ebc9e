import { configure } from '@testing-library/dom';

// Unit tests assert what happens, never how fast: waits and test limits only stop a hang, and are wide
// enough for a machine loaded by other work (speed is measured by `npm run bench`).
configure({ asyncUtilTimeout: 30_000 });
