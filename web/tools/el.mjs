// Dev helper: screenshot one element. node web/tools/el.mjs width selector name [query] [clickButtonName] [waitMs]
import {serve} from '../../tests/e2e/support/server.js';
import {launch, openPage, screenshotPath} from '../../tests/e2e/support/browser.js';

const [width, selector, name, query = '', click = '', wait = '1500'] = process.argv.slice(2);
const srv = await serve();
const b = await launch();
const page = await openPage(b.context, null, {width: +width, height: 900});
page.on('console', (m) => console.log(`[${m.type()}]`, m.text()));
await page.goto(srv.url + query);
await page.waitForTimeout(1500);
for (const c of click.split('|').filter(Boolean)) {
  await page.getByRole('button', {name: c}).first().click();
  await page.waitForTimeout(+wait);
}
const loc = page.locator(selector).first();
await loc.scrollIntoViewIfNeeded();
await page.waitForTimeout(+wait);
await loc.screenshot({path: screenshotPath(`${name}.png`)});
console.log('errors:', page.errors);
await b.close();
await srv.close();
