// electron-vite's template layout, with main and preload under electron/ and the renderer under renderer/.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve('electron/main/index.ts') } },
      // tfjs packages stay real node_modules: tfjs-node is a native addon and optional.
      externalizeDeps: true,
    },
  },
  preload: {
    // Sandboxed preloads cannot be ES modules: one CommonJS file that only requires 'electron'.
    build: {
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    // The aliases, also in tsconfig.base.json (TypeScript, svelte-check) and tsconfig.json (tsx).
    resolve: { alias: { $shared: resolve('src/shared'), $wire: resolve('src/wire') } },
    // Minified: the page a window loads parses in half the time (electron-vite leaves it off).
    build: {
      minify: 'esbuild',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
  },
});
