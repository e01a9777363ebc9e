/**
 * A Go program whose own compilation dominates its build: many small functions, importing only
 * `runtime` (always compiled anyway). The stack's Go image has its standard library precompiled
 * for its own architecture only, so a cross build also compiles the runtime for the target; with a
 * program of a few hundred kilobytes the compile itself outweighs that, as in real projects.
 * The program prints the architecture it was built for and a sum that depends on every function.
 */
export function manyFunctionsProgram(functions: number): string {
  const out: string[] = ['package main', '', 'import "runtime"', ''];
  for (let i = 0; i < functions; i++) {
    out.push(
      `func f${i}(x int) int {`,
      `\tfor j := 0; j < ${(i % 7) + 3}; j++ {`,
      `\t\tx = x*${(i % 13) + 3} + j ^ (x >> ${(i % 5) + 1})`,
      '\t}',
      '\tif x%2 == 0 {',
      `\t\treturn x + ${i}`,
      '\t}',
      `\treturn x - ${i}`,
      '}',
      '',
    );
  }
  out.push('func main() {', '\tx := 1');
  for (let i = 0; i < functions; i++) out.push(`\tx = f${i}(x) % 1000003`);
  out.push('\tprintln("built for", runtime.GOARCH, "sum", x)', '}', '');
  return out.join('\n');
}

export const GO_MOD = 'module example.com/many\n\ngo 1.19\n';
