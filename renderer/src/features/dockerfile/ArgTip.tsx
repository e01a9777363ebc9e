import { useId, type ReactNode } from 'react';
import { PREDEFINED_ARGS, isPredefinedArg, type PredefinedArgName } from '../../../../shared/domain/dockerfile';
import type { ArgReference } from '../../../../shared/domain/dockerfile';

/** `**bold**` and `code` of the hover texts; nothing else is used there. */
function inlineMarkdown(text: string): ReactNode[] {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/).map((part, i) => {
    if (part.startsWith('**') && part.endsWith('**') && part.length > 4) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('`') && part.endsWith('`') && part.length > 2) return <code key={i}>{part.slice(1, -1)}</code>;
    return part;
  });
}

/** The explanation card of one predefined arg. */
export function ArgExplanation({ name }: { name: PredefinedArgName }) {
  return (
    <>
      {PREDEFINED_ARGS[name].hover
        .split('\n\n')
        .filter(Boolean)
        .map((paragraph, i) => (
          <p key={i}>{inlineMarkdown(paragraph)}</p>
        ))}
    </>
  );
}

/** A predefined arg name that explains itself on hover or keyboard focus. */
export function ArgTip({ name, children }: { name: PredefinedArgName; children?: ReactNode }) {
  const id = useId();
  return (
    <span className="arg-tip" tabIndex={0} aria-describedby={id} data-testid={`arg-tip-${name}`} data-arg={name}>
      {children ?? name}
      <span className="arg-tip-card" role="tooltip" id={id} data-testid={`arg-tip-card-${name}`}>
        <ArgExplanation name={name} />
      </span>
    </span>
  );
}

const ARG_WORD = /(\$\{[A-Z]+\}|\$[A-Z]+|\b[A-Z]+\b)/;

/** Plain text with every predefined arg (`TARGETARCH`, `$TARGETARCH`, `${TARGETARCH}`) given its explanation. */
export function withArgTips(text: string): ReactNode[] {
  return text.split(ARG_WORD).map((part, i) => {
    const name = part.replace(/^\$\{?|\}$/g, '');
    return isPredefinedArg(name) ? (
      <ArgTip key={i} name={name}>
        {part}
      </ArgTip>
    ) : (
      part
    );
  });
}

/** A message with `code` spans, arg names explained inside and outside them. */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {text.split(/(`[^`]+`)/).map((part, i) =>
        part.startsWith('`') && part.endsWith('`') && part.length > 2 ? <code key={i}>{withArgTips(part.slice(1, -1))}</code> : <span key={i}>{withArgTips(part)}</span>,
      )}
    </>
  );
}

/**
 * One Dockerfile line with the analyser's own platform-arg references explained: exact columns,
 * so an arg name inside a comment or a longer word is not taken for one.
 */
export function SourceLine({ text, refs }: { text: string; refs: readonly ArgReference[] }) {
  const out: ReactNode[] = [];
  let at = 0;
  for (const ref of [...refs].sort((a, b) => a.column - b.column)) {
    const start = ref.column - 1;
    const end = ref.endColumn - 1;
    if (start < at || end > text.length || !isPredefinedArg(ref.name)) continue;
    out.push(text.slice(at, start));
    out.push(
      <ArgTip key={start} name={ref.name}>
        {text.slice(start, end)}
      </ArgTip>,
    );
    at = end;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}
