// Shared start-up for the e2e files: a static server over web/dist and a fresh Chromium.
import {after, before} from 'node:test';
import {launch} from './browser.js';
import {serve} from './server.js';

/**
 * Registers before/after hooks; returns an object filled with {url, context} once
 * started. {isolate: true} serves with COOP/COEP (see server.js).
 */
export function useSite({isolate = false} = {}) {
  const site = {};
  before(async () => {
    site.server = await serve(undefined, {isolate});
    site.browser = await launch();
    site.url = site.server.url;
    site.context = site.browser.context;
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
