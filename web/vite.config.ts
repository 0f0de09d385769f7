import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/** The dashboard's own build: `web/` → `dist/web`, served by `syncline serve` at `/`. */
export default defineConfig({
  root: webDir,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1_200,
    // No source maps in the served bundle: nothing but the app itself reaches the browser.
    sourcemap: false,
  },
  logLevel: 'warn',
});
