import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server (npm run dev -w @lifeboat/web) talks to the local stack started by `npm start`.
const stack = 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  // public/ is the walking skeleton's static console, not assets of this build.
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Cloudscape is large; warn only when a chunk is far beyond it.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/graphql': { target: stack, ws: true, changeOrigin: true },
      '/auth': { target: stack, changeOrigin: true },
    },
  },
});
