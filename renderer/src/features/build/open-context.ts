/** The Build page's param that asks it to open the build-context picker (File › Open build context…, Mod+O). */
export const OPEN_CONTEXT = 'open-context';
