/** Small inline SVG icons: they render the same in every font, and are hidden from readers. */
const PATHS = {
  play: 'M4 2 L14 8 L4 14 Z',
  pause: 'M3 2 H7 V14 H3 Z M9 2 H13 V14 H9 Z',
  stepForward: 'M2 2 L10 8 L2 14 Z M11 2 H14 V14 H11 Z',
  stepBack: 'M14 2 L6 8 L14 14 Z M2 2 H5 V14 H2 Z',
  plus: 'M7 2 H9 V7 H14 V9 H9 V14 H7 V9 H2 V7 H7 Z',
} as const;

export function Icon({ name }: { name: keyof typeof PATHS }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
