import { defineConfig } from 'vite';

/**
 * The analyst's web application. React's JSX is compiled by Vite's own esbuild (no plugin needed); the
 * built files land in web/dist, which the API process serves. Heavy views (graph, charts) are split into
 * chunks of their own, so the first screen carries only what it shows.
 */
export default defineConfig({
  // Always React's production build, even when built from a test run (where NODE_ENV is 'test').
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  root: import.meta.dirname,
  base: '/',
  esbuild: { jsx: 'automatic', jsxDev: false },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    rollupOptions: {
      // React Query marks its modules "use client" for server components, which this application has none of.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
