// The web client's build: `npm run build:client` (or `npm start`, which builds when stale) writes
// client/dist, which the Fastify server serves on the same port as the API and socket.io.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
// `vite` / `vite preview` forward the API and socket.io to a running firedrill server.
const server = process.env.FIREDRILL_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite --config client/vite.config.ts` during development talks to `npm start` (or FIREDRILL_SERVER).
    fs: { allow: ['..'] },
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
