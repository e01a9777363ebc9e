// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Modal } from './Modal';

afterEach(cleanup);

function Opener({ closeOnBackdrop, onClose }: { closeOnBackdrop?: boolean; onClose?(): void }) {
  const [open, setOpen] = useState(false);
  const close = () => {
    onClose?.();
    setOpen(false);
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && (
        <Modal title="Remove it?" testId="m" onClose={close} closeOnBackdrop={closeOnBackdrop}>
          <input aria-label="Name" />
          <button type="button" data-autofocus onClick={close}>
            Cancel
          </button>
          <button type="button">Remove</button>
        </Modal>
      )}
    </>
  );
}

const backdrop = () => screen.getByTestId('m').parentElement!;

describe('Modal', () => {
  it('is a modal dialog named by its title, focused on [data-autofocus], and gives focus back on close', () => {
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Open' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Remove it?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('closes on Escape and on a click on the backdrop, not on a press that started inside', () => {
    const onClose = vi.fn();
    render(<Opener onClose={onClose} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    // Selecting text: the press starts in the dialog and is released over the backdrop.
    fireEvent.mouseDown(screen.getByLabelText('Name'));
    fireEvent.click(backdrop());
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.mouseDown(backdrop());
    fireEvent.click(backdrop());
    expect(onClose).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('stays open on a backdrop click when the choice must be explicit', () => {
    render(<Opener closeOnBackdrop={false} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    fireEvent.mouseDown(backdrop());
    fireEvent.click(backdrop());
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('keeps Tab inside the dialog', () => {
    render(<Opener />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const name = screen.getByLabelText('Name');
    const remove = screen.getByRole('button', { name: 'Remove' });
    remove.focus();
    fireEvent.keyDown(remove, { key: 'Tab' });
    expect(document.activeElement).toBe(name);
    fireEvent.keyDown(name, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(remove);
  });
});
