// Only the Chart.js pieces the two line charts use, so the rest is tree-shaken away. No
// Decimation plugin: the loss chart downsamples as batches arrive (state/downsample.ts).
import {
  Chart,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import { cssVar } from '../theme.svelte.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);

Chart.defaults.font.family =
  'system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Helvetica Neue", Arial, sans-serif';
Chart.defaults.font.size = 11;

export { Chart };

/** Chart colours from the theme's CSS variables; call again when the theme flips. */
export function palette(): Record<
  | 'text'
  | 'muted'
  | 'grid'
  | 'surface'
  | 'border'
  | 'loss'
  | 'lossRaw'
  | 'train'
  | 'test'
  | 'target',
  string
> {
  return {
    text: cssVar('--text'),
    muted: cssVar('--muted'),
    grid: cssVar('--chart-grid'),
    surface: cssVar('--surface'),
    border: cssVar('--border'),
    loss: cssVar('--chart-loss'),
    lossRaw: cssVar('--chart-loss-raw'),
    train: cssVar('--chart-train'),
    test: cssVar('--chart-test'),
    target: cssVar('--chart-target'),
  };
}

type Palette = ReturnType<typeof palette>;

/** Axis colours for the current theme, spread into each scale's options. */
export const themedAxis = (c: Palette) => ({
  ticks: { color: c.muted },
  grid: { color: c.grid },
  border: { color: c.border },
});

/** Tooltip colours for the current theme. */
export function themeTooltip<D>(chart: Chart<'line', D>, c: Palette): void {
  const tooltip = chart.options.plugins?.tooltip;
  if (!tooltip) return;
  tooltip.backgroundColor = c.surface;
  tooltip.titleColor = c.text;
  tooltip.bodyColor = c.text;
  tooltip.borderColor = c.border;
  tooltip.borderWidth = 1;
}
