// Shared start-up for the e2e files: a static server over web/dist and a fresh Chromium.
import {after, before} from 'node:test';
import {launch} from './browser.js';
import {serve} from './server.js';

/** Registers before/after hooks; returns an object filled with {url, context} once started. */
export function useSite() {
  const site = {};
  before(async () => {
    site.server = await serve();
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
