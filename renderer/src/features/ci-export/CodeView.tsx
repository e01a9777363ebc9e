import type { ReactNode } from 'react';
import { refractor } from 'refractor/core';
import hcl from 'refractor/hcl';
import yaml from 'refractor/yaml';

// Prism's grammars through refractor: a syntax tree, rendered as React elements (no innerHTML,
// no inline styles), so highlighting works under the window's CSP. Only the two languages shown.
refractor.register(hcl);
refractor.register(yaml);

export type CodeLanguage = 'hcl' | 'yaml';

/** The part of refractor's syntax tree (hast) drawn here. */
interface HastNode {
  type: string;
  value?: string;
  properties?: { className?: unknown };
  children?: HastNode[];
}

function render(nodes: readonly HastNode[], key = ''): ReactNode[] {
  return nodes.map((node, i) => {
    if (node.type === 'text') return node.value ?? '';
    if (node.type !== 'element') return null;
    const className = node.properties?.className;
    return (
      <span key={`${key}${i}`} className={Array.isArray(className) ? className.join(' ') : undefined}>
        {render(node.children ?? [], `${key}${i}.`)}
      </span>
    );
  });
}

/** A file's text with syntax highlighting (token classes styled in styles.css). */
export function CodeView({ text, language, testId }: { text: string; language: CodeLanguage; testId?: string }) {
  const tree = refractor.highlight(text, language);
  return (
    <pre className={`code-view language-${language}`} data-testid={testId} data-language={language}>
      <code>{render(tree.children as HastNode[])}</code>
    </pre>
  );
}
