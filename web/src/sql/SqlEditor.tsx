/**
 * @module web/sql/SqlEditor
 * The SQL editor: CodeMirror 6 (`sql-editor-view.ts`), loaded with a dynamic
 * import so the rest of the page paints first. Until it arrives the text is
 * shown read-only in the editor's place, at the editor's size.
 */
import type { SQLNamespace } from '@codemirror/lang-sql';
import { useEffect, useRef, useState } from 'react';
import type { SqlEditorHandle } from './sql-editor-view.ts';

interface Props {
  id: string;
  value: string;
  onChange: (sql: string) => void;
  /** Ctrl/Cmd-Enter: receives the selection, or the whole text when nothing is selected. */
  onRun: (sql: string) => void;
  label: string;
  /** Tables and columns for completion; called at the first completion, again when it returns a new promise. */
  catalog: () => Promise<SQLNamespace>;
}

export function SqlEditor({ id, value, onChange, onRun, label, catalog }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<SqlEditorHandle | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<Error | null>(null);
  // The editor is created once; these refs let it call the latest props.
  const latest = useRef({ value, onChange, onRun, catalog });
  latest.current = { value, onChange, onRun, catalog };

  useEffect(() => {
    let cancelled = false;
    import('./sql-editor-view.ts').then(
      ({ createSqlEditor }) => {
        if (cancelled || !host.current) return;
        editor.current = createSqlEditor(host.current, {
          doc: latest.current.value,
          label,
          describedBy: `${id}-hint`,
          onChange: (sql) => {
            latest.current.value = sql;
            latest.current.onChange(sql);
          },
          onRun: (sql) => latest.current.onRun(sql),
          catalog: () => latest.current.catalog(),
        });
        setReady(true);
      },
      (e: Error) => !cancelled && setFailed(e),
    );
    return () => {
      cancelled = true;
      editor.current?.destroy();
      editor.current = null;
      setReady(false);
    };
  }, [id, label]);

  // A value set from outside (history) replaces the editor's text; its own edits are a no-op here.
  useEffect(() => editor.current?.setDoc(value), [value]);

  return (
    <div className="sql-editor" id={id}>
      {/* CodeMirror owns this element's children; React never renders into it. */}
      <div ref={host} className="sql-editor-host" data-testid="sql-editor" />
      {!ready && (
        <pre className="sql-editor-loading" aria-busy="true" data-testid="sql-editor-loading">
          {value}
        </pre>
      )}
      {failed && (
        <p role="alert" className="error">
          The editor could not load ({failed.message}). Reload the page to try again.
        </p>
      )}
      <p id={`${id}-hint`} className="hint">
        Ctrl/⌘-Enter runs the selection, or the whole editor. Ctrl-Space completes keywords, tables and
        columns. Tab indents; Esc then Tab leaves the editor.
      </p>
    </div>
  );
}
