/**
 * @module web/sql/SqlEditor
 * A `<textarea>` with a highlighted `<pre>` layered underneath (same font, same
 * padding, scroll synced). The textarea keeps native editing, IME, undo and
 * accessibility; only its text is transparent. A stand-in for CodeMirror 6,
 * which is not installed here.
 */
import { type KeyboardEvent, useMemo, useRef } from 'react';
import { tokenize } from './sql-tokens.ts';

interface Props {
  id: string;
  value: string;
  onChange: (sql: string) => void;
  /** Ctrl/Cmd-Enter: receives the selection, or the whole text when nothing is selected. */
  onRun: (sql: string) => void;
  label: string;
}

export function SqlEditor({ id, value, onChange, onRun, label }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const pre = useRef<HTMLPreElement>(null);
  const tokens = useMemo(() => tokenize(value), [value]);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    const t = e.currentTarget;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      const selected = t.value.slice(t.selectionStart, t.selectionEnd);
      onRun(selected.trim() ? selected : t.value);
      return;
    }
    // Tab indents instead of leaving the editor; Escape then Tab still moves focus (WCAG 2.1.2).
    if (e.key === 'Tab' && !e.shiftKey && t.dataset.escaped !== '1') {
      e.preventDefault();
      const { selectionStart: s, selectionEnd: end } = t;
      onChange(`${t.value.slice(0, s)}  ${t.value.slice(end)}`);
      requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
      return;
    }
    t.dataset.escaped = e.key === 'Escape' ? '1' : '';
  };

  const syncScroll = () => {
    if (pre.current && area.current) {
      pre.current.scrollTop = area.current.scrollTop;
      pre.current.scrollLeft = area.current.scrollLeft;
    }
  };

  return (
    <div className="sql-editor">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <pre ref={pre} className="sql-highlight" aria-hidden="true">
        {tokens.map((t, i) =>
          t.kind === 'plain' ? (
            t.text
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: tokens have no identity beyond position.
            <span key={i} className={`tok-${t.kind}`}>
              {t.text}
            </span>
          ),
        )}
        {/* A trailing newline would otherwise collapse and misalign the last line. */}
        {'\n'}
      </pre>
      <textarea
        ref={area}
        id={id}
        data-testid="sql-input"
        value={value}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onScroll={syncScroll}
        aria-describedby={`${id}-hint`}
      />
      <p id={`${id}-hint`} className="hint">
        Ctrl/⌘-Enter runs the selection, or the whole editor. Tab indents; Esc then Tab leaves the editor.
      </p>
    </div>
  );
}
