/**
 * @module web/sql/sql-editor-view
 * The CodeMirror 6 editor behind `SqlEditor`, loaded with a dynamic import so
 * the first paint does not wait for it. PostgreSQL highlighting and keyword
 * completion, table and column completion from the database's catalog,
 * Ctrl/Cmd-Enter runs, Tab indents, Esc then Tab leaves the editor (WCAG 2.1.2).
 */
import {
  autocompletion,
  type CompletionContext,
  type CompletionResult,
  closeCompletion,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentMore } from '@codemirror/commands';
import { PostgreSQL, type SQLNamespace, schemaCompletionSource, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightSpecialChars,
  type KeyBinding,
  keymap,
  lineNumbers,
  placeholder,
} from '@codemirror/view';

export interface SqlEditorOptions {
  doc: string;
  /** Accessible name of the editing surface (`aria-label`). */
  label: string;
  /** Id of the element describing the key bindings (`aria-describedby`). */
  describedBy: string;
  onChange: (sql: string) => void;
  /** Ctrl/Cmd-Enter: receives the selection, or the whole text when nothing is selected. */
  onRun: (sql: string) => void;
  /** Tables and their columns, for completion; asked for lazily, at the first completion. */
  catalog: () => Promise<SQLNamespace>;
}

export interface SqlEditorHandle {
  /** Replaces the text (e.g. a query picked from history) unless it is already the editor's. */
  setDoc(doc: string): void;
  focus(): void;
  destroy(): void;
}

const theme = EditorView.theme({
  '&': {
    border: '1px solid #b8bfc8',
    borderRadius: '8px',
    background: '#fff',
    fontSize: '14px',
    height: '12rem',
    minHeight: '6rem',
    resize: 'vertical',
    overflow: 'hidden',
  },
  '&.cm-focused': { outline: '3px solid #f59e0b', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { padding: '0.5rem 0' },
  '.cm-line': { padding: '0 0.5rem' },
  '.cm-gutters': { background: '#f6f7f9', color: '#8a929c', border: 'none', borderRadius: '8px 0 0 8px' },
  '.cm-activeLine': { background: '#f3f6fb' },
  '.cm-tooltip-autocomplete': { fontFamily: 'var(--mono)' },
});

/** Tab indents by two spaces at the cursor (or the selected lines); Esc then Tab still leaves. */
const indentAtCursor: KeyBinding = {
  key: 'Tab',
  run: (view) => {
    if (!view.state.selection.ranges.every((r) => r.empty)) return indentMore(view);
    view.dispatch(view.state.replaceSelection('  '), { scrollIntoView: true, userEvent: 'input' });
    return true;
  },
};

/** Completes table and column names from the catalog, fetched once per `catalog` promise. */
function catalogCompletion(load: () => Promise<SQLNamespace>) {
  let cached: {
    schema: Promise<SQLNamespace>;
    source: Promise<ReturnType<typeof schemaCompletionSource>>;
  } | null = null;
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    // Only where a name is being typed, or on an explicit Ctrl-Space: no fetch for every keystroke.
    if (!ctx.explicit && !ctx.matchBefore(/[\w."]+$/)) return null;
    const schema = load();
    if (cached?.schema !== schema) {
      cached = {
        schema,
        source: schema.then((s) => schemaCompletionSource({ dialect: PostgreSQL, schema: s })),
      };
    }
    const source = await cached.source;
    return (await source(ctx)) ?? null;
  };
}

export function createSqlEditor(parent: HTMLElement, o: SqlEditorOptions): SqlEditorHandle {
  const run = (view: EditorView) => {
    const { state } = view;
    const selected = state.selection.ranges.map((r) => state.sliceDoc(r.from, r.to)).join('\n');
    closeCompletion(view);
    o.onRun(selected.trim() ? selected : state.doc.toString());
    return true;
  };
  const lang = sql({ dialect: PostgreSQL });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        lineNumbers(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        indentUnit.of('  '),
        lang,
        lang.language.data.of({ autocomplete: catalogCompletion(o.catalog) }),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion({ icons: false }),
        placeholder('SELECT …'),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run, preventDefault: true }])),
        keymap.of([...completionKeymap, indentAtCursor, ...historyKeymap, ...defaultKeymap]),
        // Esc arms "Tab leaves the editor" even when Esc also closed the completion list.
        EditorView.domEventObservers({
          keydown: (e, view) => {
            if (e.key === 'Escape') view.setTabFocusMode(2000);
          },
        }),
        EditorView.contentAttributes.of({
          'aria-label': o.label,
          'aria-describedby': o.describedBy,
          'data-testid': 'sql-input',
          spellcheck: 'false',
          autocapitalize: 'off',
          autocorrect: 'off',
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange(u.state.doc.toString());
        }),
        theme,
      ],
    }),
  });
  return {
    setDoc(doc) {
      if (doc === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
