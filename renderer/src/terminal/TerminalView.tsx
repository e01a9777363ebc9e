import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { stripAnsi } from '../../../shared/domain/build-progress/format';
import { shortcutProps, useShortcuts } from '../app/shortcuts';
import { searchDecorations, terminalTheme } from '../theme/terminal-theme';
import { useThemeStore } from '../theme/theme-store';
import { animationFrames, everyOtherFrame, FRAME_BUDGET_CHARS, FrameWriter } from './frame-writer';
import type { TerminalFeed } from './terminal-feed';

/**
 * An xterm.js terminal fed by a TerminalFeed: colours, search, copy, fitted to its box. The
 * scrollback is capped (the feed's); the full log is on disk.
 */
export function TerminalView({ feed, testId = 'terminal' }: { feed: TerminalFeed; testId?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const parts = useRef<{ terminal: Terminal; search: SearchAddon } | undefined>(undefined);
  const searchField = useRef<HTMLInputElement>(null);
  const theme = useThemeStore((s) => s.resolved);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<{ index: number; count: number } | undefined>();
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const terminal = new Terminal({
      scrollback: feed.scrollback,
      disableStdin: true,
      cursorBlink: false,
      cursorInactiveStyle: 'none',
      convertEol: false,
      allowProposedApi: true, // search decorations
      fontFamily: "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 12.5,
      theme: terminalTheme(el),
      // xterm lifts any ANSI colour a build prints to AA contrast against the background
      minimumContrastRatio: 4.5,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    terminal.loadAddon(fit);
    terminal.loadAddon(search);
    terminal.open(el);
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(el);
    const offResults = search.onDidChangeResults((r) => setResults({ index: r.resultIndex, count: r.resultCount }));
    // xterm calls back once it has parsed the data: what the build stream acknowledges. Writes
    // go in every other frame, so parsing a flood leaves each frame time to draw.
    const sink = new FrameWriter({ write: (data, callback) => terminal.write(data, callback), reset: () => terminal.reset() }, everyOtherFrame, 2 * FRAME_BUDGET_CHARS);
    // Facts for tests and diagnostics, set on the element once per frame, without a React render.
    let statsFrame: (() => void) | undefined;
    const writeStats = () => {
      statsFrame?.();
      statsFrame = undefined;
      const el = box.current;
      if (!el) return;
      el.dataset.lines = String(feed.stats.linesWritten);
      el.dataset.linesIn = String(feed.stats.linesIn);
      el.dataset.linesPending = String(feed.pendingLines);
      el.dataset.state = feed.idle ? 'idle' : 'writing';
    };
    const showStats = () => {
      statsFrame ??= animationFrames(writeStats);
    };
    parts.current = { terminal, search };
    // A hidden page gets no frames: the feed lets go of the terminal (what it is sent counts as
    // taken and is kept in its views) and redraws the view's tail when the page shows again.
    const onVisibility = () => {
      if (document.hidden) {
        feed.detach(sink);
        sink.drop();
        writeStats();
      } else feed.attach(sink, showStats);
    };
    if (!document.hidden) feed.attach(sink, showStats);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      feed.detach(sink);
      sink.drop();
      statsFrame?.();
      offResults.dispose();
      observer.disconnect();
      parts.current = undefined;
      terminal.dispose();
    };
  }, [feed]);

  // The page's theme changed: take its colours (theme.css) again.
  useEffect(() => {
    const p = parts.current;
    if (p && host.current) p.terminal.options.theme = terminalTheme(host.current);
  }, [theme]);

  const focusSearch = () => {
    searchField.current?.focus();
    searchField.current?.select();
  };
  // With nothing to look for yet, the next/previous keys lead to the search field.
  const findOrAsk = (direction: 'next' | 'previous') => (query ? find(direction) : focusSearch());
  useShortcuts({ 'log.search': focusSearch, 'log.next': () => findOrAsk('next'), 'log.previous': () => findOrAsk('previous') });

  const find = (direction: 'next' | 'previous') => {
    const p = parts.current;
    if (!p || !query || !host.current) return;
    const options = { decorations: searchDecorations(host.current) };
    if (direction === 'next') p.search.findNext(query, { ...options, incremental: false });
    else p.search.findPrevious(query, options);
  };

  const copy = async () => {
    const p = parts.current;
    const text = p?.terminal.hasSelection() ? p.terminal.getSelection() : stripAnsi(feed.viewText()).replace(/\r\n/g, '\n');
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
    setTimeout(() => setCopied('idle'), 1500);
  };

  return (
    <div className="terminal-box" ref={box} data-testid={testId}>
      <div className="terminal-toolbar">
        <input
          ref={searchField}
          type="search"
          placeholder="Search the log"
          aria-label="Search the log"
          {...shortcutProps('log.search', 'Search the log')}
          value={query}
          data-testid={`${testId}-search`}
          onChange={(e) => {
            setQuery(e.target.value);
            setResults(undefined);
            parts.current?.search.clearDecorations();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') find(e.shiftKey ? 'previous' : 'next');
          }}
        />
        <button type="button" onClick={() => find('previous')} disabled={!query} aria-label="Previous match" {...shortcutProps('log.previous', 'Previous match')}>
          ↑
        </button>
        <button type="button" onClick={() => find('next')} disabled={!query} aria-label="Next match" data-testid={`${testId}-search-next`} {...shortcutProps('log.next', 'Next match')}>
          ↓
        </button>
        <span className="muted terminal-results" data-testid={`${testId}-results`} data-count={results?.count ?? ''}>
          {results ? (results.count === 0 ? 'no match' : `${results.index + 1} of ${results.count}`) : ''}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => void copy()} data-state={copied} title="Copy the selection, or the whole view when nothing is selected">
          {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </div>
      <div className="terminal-host" ref={host} />
    </div>
  );
}
