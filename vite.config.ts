import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
// @ts-expect-error: a plain .mjs build script, without type declarations.
import { serviceWorkerPlugin } from './scripts/service-worker.mjs';

// `base: './'` makes every asset URL relative, so `dist/` works from any static sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), serviceWorkerPlugin()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // Code every lab page shares (d3, zod, the lab kit) loads once, with the first lab opened,
        // and stays cached for the others; each lab's own chunk is only its page, views and lesson.
        manualChunks(id: string) {
          if (/node_modules\/(d3|d3-[a-z-]+|internmap|delaunator|robust-predicates)\//.test(id))
            return 'vendor-d3';
          if (/node_modules\/(zod|lz-string)\//.test(id)) return 'vendor-validation';
          return undefined;
        },
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
