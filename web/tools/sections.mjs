// Dev helper: screenshots each section of the page (scrolled into view first).
// node web/tools/sections.mjs [width] [prefix] [query] [actions]
import {serve} from '../../tests/e2e/support/server.js';
import {launch, openPage, screenshotPath, drawStrokes} from '../../tests/e2e/support/browser.js';

const [width = '1280', prefix = 's', query = '', actions = ''] = process.argv.slice(2);
const srv = await serve();
const b = await launch();
const page = await openPage(b.context, null, {width: +width, height: 900});
page.on('console', (m) => console.log(`[${m.type()}]`, m.text()));
await page.goto(srv.url + query);
await page.waitForTimeout(1500);
if (actions.includes('test')) {
  await page.getByRole('button', {name: 'Random test digit'}).click();
  await page.waitForTimeout(1500);
}
if (actions.includes('eval')) {
  await page.locator('#results').scrollIntoViewIfNeeded();
  await page.getByRole('button', {name: 'Evaluate on the 10,000 test digits'}).click();
  await page.waitForTimeout(9000);
}
for (const id of ['draw', 'network', 'conv', 'train', 'results', 'weights']) {
  const loc = page.locator(`#${id}`);
  await loc.scrollIntoViewIfNeeded();
  await page.waitForTimeout(1200);
  await loc.screenshot({path: screenshotPath(`${prefix}-${id}.png`)});
}
console.log('errors:', page.errors);
await b.close();
await srv.close();
