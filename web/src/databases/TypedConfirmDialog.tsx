/**
 * @module web/databases/TypedConfirmDialog
 * A modal `<dialog>` (native focus trap and Esc) that enables its destructive
 * button only once the user has typed the resource's name.
 */
import { useEffect, useRef, useState } from 'react';
import { ErrorMessage } from '../components/AsyncView.tsx';

interface Props {
  title: string;
  expected: string;
  action: string;
  warning: string;
  onConfirm: () => Promise<unknown>;
  /** `changed` is true when the action went through. */
  onClose: (changed: boolean) => void;
}

export function TypedConfirmDialog({ title, expected, action, warning, onConfirm, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose(true);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-title"
      onClose={() => onClose(false)}
      data-testid="confirm-dialog"
    >
      <h2 id="confirm-title">{title}</h2>
      <p>{warning}</p>
      <label htmlFor="confirm-input">
        Type <code>{expected}</code> to confirm
      </label>
      <input
        id="confirm-input"
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
      {error && <ErrorMessage error={error} />}
      <div className="toolbar">
        <button type="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={typed !== expected || busy} onClick={confirm}>
          {busy ? 'Working…' : action}
        </button>
      </div>
    </dialog>
  );
}
