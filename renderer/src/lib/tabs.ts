// The keyboard of a tablist (WAI-ARIA tabs pattern): ← and → move to the previous and next tab,
// wrapping around; the caller selects it and moves focus to it.

/** The tab ← or → leads to from `current`, or null for any other key. */
export function nextTab<T>(ids: readonly T[], current: T, key: string): T | null {
  if (key !== 'ArrowRight' && key !== 'ArrowLeft') return null;
  const i = ids.indexOf(current);
  return ids[(i + (key === 'ArrowRight' ? 1 : ids.length - 1)) % ids.length] ?? null;
}
