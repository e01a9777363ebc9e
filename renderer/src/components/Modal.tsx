import { useEffect, useId, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useEscape } from '../hooks/use-escape';

const FOCUSABLE = 'a[href], summary, button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface ModalProps {
  title: ReactNode;
  testId: string;
  className?: string;
  onClose(): void;
  /** Makes the dialog a form, so Enter submits it. */
  onSubmit?(e: FormEvent<HTMLFormElement>): void;
  /** False where the choice must be explicit (a privileged run): only Escape or a button closes it. */
  closeOnBackdrop?: boolean;
  children: ReactNode;
}

/**
 * The one modal dialog of the app: labelled by its title, closed by Escape or a click on the
 * backdrop, keeps Tab inside itself, focuses `[data-autofocus]` (else its first control) on open
 * and gives focus back to what had it on close.
 */
export function Modal({ title, testId, className, onClose, onSubmit, closeOnBackdrop = true, children }: ModalProps) {
  const titleId = useId();
  const dialogRef = useRef<HTMLElement | null>(null);
  // A press that starts inside (selecting text) and ends on the backdrop must not close it.
  const pressedBackdrop = useRef(false);
  useEscape(onClose);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = dialogRef.current;
    const first = dialog?.querySelector<HTMLElement>('[data-autofocus]') ?? dialog?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? dialog)?.focus();
    return () => previous?.focus();
  }, []);

  const keepTabInside = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !dialogRef.current) return;
    const items = [...dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const common = {
    className: className ? `modal ${className}` : 'modal',
    role: 'dialog',
    'aria-modal': true,
    'aria-labelledby': titleId,
    'data-testid': testId,
    tabIndex: -1,
    onKeyDown: keepTabInside,
  } as const;
  const body = (
    <>
      <h2 id={titleId}>{title}</h2>
      {children}
    </>
  );
  return (
    <div
      className="modal-backdrop"
      role="presentation"
      onMouseDown={(e) => (pressedBackdrop.current = e.target === e.currentTarget)}
      onClick={(e) => {
        if (closeOnBackdrop && pressedBackdrop.current && e.target === e.currentTarget) onClose();
      }}
    >
      {onSubmit ? (
        <form {...common} ref={(el) => void (dialogRef.current = el)} onSubmit={onSubmit}>
          {body}
        </form>
      ) : (
        <div {...common} ref={(el) => void (dialogRef.current = el)}>
          {body}
        </div>
      )}
    </div>
  );
}
