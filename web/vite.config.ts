import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** Writes .br and .gz beside every built file: the server sends them as they are (no compression per request). */
function precompress(): Plugin {
  return {
    name: 'conduit-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const [name, out] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
        const bytes = out.type === 'chunk' ? Buffer.from(out.code) : Buffer.from(out.source);
        const path = join(options.dir ?? 'dist', name);
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

/**
 * The analyst's web application. React's JSX is compiled by Vite's own esbuild (no plugin needed); the
 * built files land in web/dist, which the API process serves. Heavy views (graph, charts) are split into
 * chunks of their own, so the first screen carries only what it shows.
 */
export default defineConfig({
  // Always React's production build, even when built from a test run (where NODE_ENV is 'test').
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  root: import.meta.dirname,
  plugins: [precompress()],
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
