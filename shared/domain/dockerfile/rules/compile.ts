/**
 * Compiling for several platforms: stages that compile under QEMU (no `$BUILDPLATFORM`), native
 * stages whose compiler is not told the target, and the fast cross-compile pattern done right.
 * Tools for the build machine (a native stage read only by native stages) need no target.
 */
import { toolchainUses, scriptsOf, type Rule, type RuleContext } from '../context';
import { argDeclarations, type ModelInstruction } from '../model';
import { argLines, editOf, replacedLines, type Replacement } from '../rewrite';
import { shellAssignments } from '../shell';
import { buildMachineOnly, stageLabel, type StageFacts } from '../stages';
import type { DockerfileEdit, DockerfileStage, Toolchain } from '../types';

const TOOL_INSTALL_RE = /^(?:xx-)?cargo\s+install\s+(?!.*(?:--path|\s\.(?:\s|$)))|^go\s+install\s+\S+@/;

// Signs that `npm ci` builds native modules (otherwise its output is the same on every platform).
const NATIVE_NODE_RE = /(?<![\w+-])(?:node-gyp|build-essential|build-base|g\+\+|gcc|prebuild-install)(?![\w+-])|\bnpm\s+rebuild\b/;

/** The toolchains a stage compiles with (Node.js only when it builds native modules). */
export function stageToolchains(stage: StageFacts): Toolchain[] {
  const toolchains = new Set<Toolchain>();
  const runText: string[] = [];
  for (const instr of stage.model.instructions) {
    for (const use of toolchainUses(instr)) toolchains.add(use.toolchain);
    if (instr.keyword === 'RUN') runText.push(...scriptsOf(instr).map((s) => s.seg.text));
  }
  if (toolchains.has('node') && !NATIVE_NODE_RE.test(runText.join('\n'))) toolchains.delete('node');
  return [...toolchains];
}

const FAST_CROSS: Toolchain[] = ['go', 'rust', 'java', 'dotnet'];

function advice(toolchains: Toolchain[]): string {
  const parts: string[] = [];
  const fast = toolchains.filter((t) => FAST_CROSS.includes(t));
  if (fast.length > 0) {
    parts.push(
      `${fast.map((t) => TOOL_LABEL[t]).join(', ')} can cross-compile: run the stage natively on the build platform and give the compiler the target from TARGETOS/TARGETARCH${fast.includes('java') ? ' (Java bytecode needs no target at all)' : ''}.`,
    );
  }
  if (toolchains.includes('c')) {
    parts.push('C/C++ can cross-compile with a cross compiler for the target: more setup, but no emulation.');
  }
  if (toolchains.includes('node')) {
    parts.push(
      'Native Node.js modules must be built for each target: keep only the production install per platform, move bundling and `npm run build` to a $BUILDPLATFORM stage, and prefer packages that ship prebuilt binaries.',
    );
  }
  return parts.join(' ');
}
const TOOL_LABEL: Record<Toolchain, string> = {
  go: 'Go',
  rust: 'Rust',
  c: 'C/C++',
  node: 'Node.js native modules',
  java: 'Java',
  dotnet: '.NET',
};

function crossTemplate(info: DockerfileStage, toolchains: Toolchain[]): string {
  const name = info.name ? ` AS ${info.name}` : ' AS build';
  const lines = [`FROM --platform=$BUILDPLATFORM ${info.image}${name}`];
  if (info.parentStage !== undefined || info.parentCandidates) lines.unshift('# on the stage this one is built FROM: a flag on a FROM that names a stage is ignored');
  if (toolchains.includes('go')) {
    lines.push('ARG TARGETOS TARGETARCH', 'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .');
  }
  if (toolchains.includes('rust')) {
    lines.push(
      'ARG TARGETARCH',
      'RUN case "$TARGETARCH" in \\',
      '      amd64) T=x86_64-unknown-linux-musl ;; \\',
      '      arm64) T=aarch64-unknown-linux-musl ;; \\',
      '      *) echo "unsupported architecture: $TARGETARCH" >&2; exit 1 ;; \\',
      '    esac && \\',
      '    rustup target add "$T" && \\',
      '    cargo build --release --target "$T" && cp "target/$T/release/app" /out/app',
      '# a linker for the target is needed too (a musl cross linker, zig via cargo-zigbuild, or clang)',
    );
  }
  if (toolchains.includes('java')) lines.push('# bytecode is the same on every platform: build it once, natively');
  if (toolchains.includes('dotnet')) lines.push('ARG TARGETARCH', 'RUN dotnet publish -a $TARGETARCH -o /out');
  if (toolchains.includes('c')) {
    lines.push(
      'ARG TARGETARCH',
      '# install a cross compiler for the target and point the build at it, e.g.',
      '# gcc-aarch64-linux-gnu with CC=aarch64-linux-gnu-gcc, or clang --target=<triple>',
    );
  }
  if (toolchains.length === 1 && toolchains[0] === 'node') {
    return [
      '# architecture-independent work once, natively:',
      `FROM --platform=$BUILDPLATFORM ${info.image} AS assets`,
      'COPY . .',
      'RUN npm ci && npm run build',
      '',
      '# only the native production dependencies per platform:',
      `FROM ${info.image}${name}`,
      'COPY package.json package-lock.json ./',
      'RUN npm ci --omit=dev',
      'COPY --from=assets /app/dist ./dist',
    ].join('\n');
  }
  lines.push('', 'FROM <runtime image>', `COPY --from=${info.name ?? info.index} /out/ /usr/local/bin/`);
  return lines.join('\n');
}

/** The RUN lines with `GOOS=$TARGETOS GOARCH=$TARGETARCH` in front of each `go build`/`go install`. */
function goTargetEdit(ctx: RuleContext, stage: StageFacts, instr: ModelInstruction): DockerfileEdit | undefined {
  if (instr.execForm || setsGoArch(ctx, instr)) return undefined;
  const replacements: Replacement[] = [];
  for (const use of toolchainUses(instr)) {
    if (use.toolchain !== 'go' || !/^go\s+(?:build|install)\b/.test(use.command)) continue;
    replacements.push({ line: use.line, col: use.col, length: 0, text: 'GOOS=$TARGETOS GOARCH=$TARGETARCH ' });
  }
  if (replacements.length === 0) return undefined;
  return editOf(instr, [...argLines(stage, instr, ['TARGETOS', 'TARGETARCH']), ...replacedLines(ctx.model, instr, replacements)]);
}

/**
 * The mechanical cross-compile rewrite, offered only where it is safe: a Go-only stage built
 * without cgo (`CGO_ENABLED=0`), not running what it builds (`go test`, `go run`), that no
 * stage is built FROM and that is not the image itself.
 */
function crossCompileEdits(ctx: RuleContext, stage: StageFacts, toolchains: Toolchain[]): DockerfileEdit[] | undefined {
  const info = stage.info;
  if (toolchains.length !== 1 || toolchains[0] !== 'go' || info.platformFlag !== undefined || info.parentStage !== undefined || info.parentCandidates) return undefined;
  if (ctx.chain.has(info.index) || [...stage.consumers].some((c) => [...(ctx.stages[c]?.parentFor.values() ?? [])].includes(info.index))) return undefined;
  const runs = stage.model.instructions.filter((i) => i.keyword === 'RUN');
  const text = runs.map((i) => scriptsOf(i).map((s) => s.seg.text).join('\n')).join('\n');
  const env = stage.model.instructions.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG').flatMap((i) => argDeclarations(i, ctx.model.escapeChar));
  const noCgo = /\bCGO_ENABLED=0\b/.test(text) || env.some((d) => d.name === 'CGO_ENABLED' && d.default === '0');
  if (!noCgo || /\bgo\s+(?:test|run|generate)\b/.test(text)) return undefined;
  const from = stage.model.from;
  const fromLines = ctx.model.lines.slice(from.line, from.endLine + 1);
  const head = /^(\s*FROM\s+)/i.exec(fromLines[0] ?? '');
  if (!head) return undefined;
  const edits: DockerfileEdit[] = [editOf(from, [(fromLines[0] ?? '').replace(head[0], `${head[0]}--platform=$BUILDPLATFORM `), ...fromLines.slice(1)])];
  for (const instr of runs) {
    if (!toolchainUses(instr).some((u) => u.toolchain === 'go')) continue;
    const e = goTargetEdit(ctx, stage, instr);
    if (e) edits.push(e);
    // A go build that sets nothing, and that cannot be rewritten, would build for the build machine.
    else if (!setsGoArch(ctx, instr)) return undefined;
  }
  return edits;
}

const setsGoArch = (ctx: RuleContext, instr: ModelInstruction) => /\bGOARCH=/.test(ctx.model.lines.slice(instr.line, instr.endLine + 1).join('\n'));

function compileRules(ctx: RuleContext, stage: StageFacts): void {
  const info = stage.info;
  const toolchains = info.toolchains;
  if (toolchains.length === 0 || info.windows) return;
  const uses = stage.model.instructions.flatMap((i) => toolchainUses(i).map((u) => ({ ...u, instr: i })));
  const relevant = uses.filter((u) => toolchains.includes(u.toolchain));
  const first = relevant[0];
  if (!first) return;
  const commands = [...new Set(relevant.map((u) => u.command.split(/\s+/).slice(0, 2).join(' ')))].join(', ');

  if (info.effectivePlatformKind === 'none' || info.effectivePlatformKind === 'target') {
    const fast = toolchains.some((t) => FAST_CROSS.includes(t));
    const edits = crossCompileEdits(ctx, stage, toolchains);
    const parents = info.parentStage !== undefined ? [info.parentStage] : (info.parentCandidates ?? []);
    ctx.findings.push({
      rule: 'compile-under-emulation',
      severity: fast ? 'warning' : 'info',
      line: first.instr.line + 1,
      endLine: first.instr.endLine + 1,
      stageIndex: info.index,
      subject: commands,
      message: `Stage ${stageLabel(info)} compiles (${commands}) under QEMU for every foreign platform.`,
      why: `Without \`FROM --platform=$BUILDPLATFORM\` this stage runs once per target platform on that platform's image, so on this builder every non-native platform compiles through QEMU emulation, often 5 to 20 times slower, and some toolchains crash under it. ${advice(
        toolchains,
      )}${parents.length > 0 ? ` This stage is built FROM stage ${parents.map((p) => stageLabel(ctx.stages[p]?.info ?? { index: p })).join(' or ')}, whose platform it takes: a flag on this FROM line would be ignored.` : ''}`,
      suggestion: edits ? edits.map((e) => e.text).join('\n…\n') : crossTemplate(info, toolchains),
      ...(edits ? { edits } : {}),
    });
    return;
  }
  if (info.effectivePlatformKind !== 'build') return;

  // Tools for the build machine: building them for the build machine is right.
  if (buildMachineOnly(ctx.stages, info.index, ctx.chain)) return;

  const envAndAssignments = (name: string): string[] => {
    const values: string[] = [];
    let s: StageFacts | undefined = stage;
    const seen = new Set<number>();
    while (s && !seen.has(s.info.index)) {
      seen.add(s.info.index);
      for (const instr of s.model.instructions) {
        if (instr.keyword === 'ENV' || instr.keyword === 'ARG') {
          for (const d of argDeclarations(instr, ctx.model.escapeChar)) if (d.name === name && d.default !== undefined) values.push(d.default);
        }
        if (instr.keyword === 'RUN' && s === stage) {
          for (const { seg } of scriptsOf(instr)) {
            for (const a of shellAssignments(seg.text)) {
              if (a.name === name) values.push(a.value);
            }
          }
        }
      }
      s = s.info.parentStage === undefined ? undefined : ctx.stages[s.info.parentStage];
    }
    return values;
  };
  const missing: Toolchain[] = [];
  // `cargo install some-tool` and `go install tool@version` install tools for this (build) machine.
  const projectBuilds = relevant.filter((u) => !TOOL_INSTALL_RE.test(u.command));
  const goUses = projectBuilds.filter((u) => u.toolchain === 'go');
  if (goUses.length > 0) {
    const targeted =
      goUses.some((u) => u.command.startsWith('xx-go')) ||
      envAndAssignments('GOARCH').some((v) => ctx.arch.isArchSource(v));
    if (!targeted) missing.push('go');
  }
  const rustUses = projectBuilds.filter((u) => u.toolchain === 'rust');
  if (rustUses.length > 0) {
    const targeted =
      rustUses.some((u) => /--target\b|^xx-cargo|^cross\b/.test(u.command)) || envAndAssignments('CARGO_BUILD_TARGET').length > 0;
    if (!targeted) missing.push('rust');
  }
  for (const t of missing) {
    const use = projectBuilds.find((u) => u.toolchain === t);
    if (!use) continue;
    const edit = t === 'go' ? goTargetEdit(ctx, stage, use.instr) : undefined;
    const fix = edit
      ? [edit.text]
      : [
            'ARG TARGETARCH',
            'RUN case "$TARGETARCH" in amd64) T=x86_64-unknown-linux-gnu ;; arm64) T=aarch64-unknown-linux-gnu ;; esac && \\',
            '    rustup target add "$T" && cargo build --release --target "$T"',
          ];
    ctx.findings.push({
      rule: 'cross-compile-missing-target',
      severity: 'warning',
      line: use.line + 1,
      endLine: use.instr.endLine + 1,
      stageIndex: info.index,
      subject: use.command.split(/\s+/).slice(0, 2).join(' '),
      message: `Stage ${stageLabel(info)} runs on the build platform but ${t === 'go' ? '`go build` has no GOARCH' : '`cargo build` has no --target'}: every platform gets a binary for the build machine.`,
      why: `A \`$BUILDPLATFORM\` stage compiles natively, so the compiler's default output is the builder's architecture. ${
        t === 'go' ? 'Set GOOS/GOARCH from TARGETOS/TARGETARCH' : 'Pass --target with the triple for TARGETARCH'
      } so each platform gets its own binary.`,
      suggestion: fix.join('\n'),
      ...(edit ? { edits: [edit] } : {}),
    });
  }
  const ok = toolchains.filter((t) => !missing.includes(t));
  const built = [...new Set(projectBuilds.map((u) => u.command.split(/\s+/).slice(0, 2).join(' ')))].join(', ') || commands;
  if (ok.length === 0) return;
  const caveats: string[] = [];
  if (ok.includes('c')) caveats.push('C/C++ needs a cross compiler for the target (CC pointing at it, or clang --target).');
  if (ok.includes('node')) caveats.push('native Node.js modules built here are for the build machine, not the target.');
  ctx.findings.push({
    rule: 'cross-compile-ok',
    severity: 'info',
    line: info.line,
    column: (stage.model.from.flags.find((f) => f.name === 'platform')?.col ?? stage.model.from.col) + 1,
    stageIndex: info.index,
    subject: ok.map((t) => TOOL_LABEL[t]).join(', '),
    message: `Stage ${stageLabel(info)} cross-compiles on the build platform (${built}): the fast multi-platform pattern.`,
    why: `\`FROM --platform=$BUILDPLATFORM\` runs this stage once, natively, with no QEMU; the target args tell the compiler what to produce for each platform.${
      caveats.length ? ` Note: ${caveats.join(' ')}` : ''
    }`,
  });
}

export const compileRule: Rule = {
  reports: ['compile-under-emulation', 'cross-compile-missing-target', 'cross-compile-ok'],
  run(ctx) {
    for (const stage of ctx.stages) compileRules(ctx, stage);
  },
};
