/** The `?` sheet: every keyboard shortcut of the page. */
import { useEffect, useRef } from 'react';

export interface Shortcut {
  keys: string;
  action: string;
}

export const PLAYBACK_SHORTCUTS: Shortcut[] = [
  { keys: 'Space', action: 'Play or pause' },
  { keys: '→', action: 'Step to the next event' },
  { keys: '←', action: 'Step back to the previous event' },
  { keys: '+ / −', action: 'Faster / slower' },
  { keys: 'Home', action: 'Back to the start of the run' },
  { keys: '?', action: 'Show or hide this sheet' },
];

export function ShortcutSheet({
  shortcuts,
  onClose,
}: {
  shortcuts: Shortcut[];
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="shortcut-sheet"
      aria-labelledby="shortcuts-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {shortcuts.map((s) => (
            <tr key={s.keys}>
              <th scope="row">
                <kbd>{s.keys}</kbd>
              </th>
              <td>{s.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
