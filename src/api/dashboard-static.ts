import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './api-error.js';

/**
 * What a browser may do on the dashboard's pages: scripts, styles, data and connections from this
 * server only (ECharts draws on a canvas; React sets inline styles), no framing, and no referrer
 * sent anywhere.
 */
const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/**
 * Serves the built dashboard (`npm run build` writes it to `dist/web`) at `/`. Without a build,
 * `/` says how to make one instead of a bare 404.
 */
export async function registerDashboard(app: FastifyInstance, root: string | undefined): Promise<void> {
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      sendError(
        reply,
        'ROUTE_NOT_FOUND',
        'The dashboard is not built: run "npm run build" (it writes dist/web)',
      ),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: true,
    cacheControl: false,
    // Hashed file names under assets/ never change; index.html is checked on every load.
    setHeaders: (response, path) => {
      for (const [name, value] of Object.entries(DASHBOARD_HEADERS)) response.setHeader(name, value);
      response.setHeader(
        'cache-control',
        path.includes(join('assets', '')) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
