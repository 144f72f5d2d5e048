// Light or dark follows the OS. Charts draw on canvas, so they read the CSS variables themselves
// and redraw when this flips.
const query =
  typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;

let dark = $state(query?.matches ?? false);
query?.addEventListener('change', (e) => (dark = e.matches));

export const theme = {
  get dark(): boolean {
    return dark;
  },
};

/** A CSS custom property of the document, e.g. cssVar('--chart-loss'). */
export function cssVar(name: string, fallback = '#888'): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}
