export function bundleForNode(options: {
  root: string;
  input: Record<string, string>;
  outDir: string;
  sourcemap?: boolean;
  entryFileNames?: string;
  chunkFileNames?: string;
}): Promise<void>;
