// Checks the headline user flow: pick cnn, Epochs 1, press Train, wait for the
// full 10k-test accuracy. Prints it and saves a screenshot. Takes minutes.
import {serve} from '../../tests/e2e/support/server.js';
import {launch, openPage, screenshotPath} from '../../tests/e2e/support/browser.js';

const srv = await serve();
const b = await launch();
const page = await openPage(b.context, srv.url);
await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout: 30000});
await page.getByLabel('Model', {exact: true}).selectOption('cnn');
await page.getByLabel('Epochs', {exact: true}).fill('1');
const t0 = Date.now();
await page.getByRole('button', {name: 'Train', exact: true}).click();
await page.locator('#train').scrollIntoViewIfNeeded();
await page.waitForFunction(() => /%$/.test(document.querySelector('[data-metric="test-accuracy"]').textContent), null, {timeout: 1800000});
console.log('test accuracy', await page.locator('[data-metric="test-accuracy"]').textContent(),
  'samples/s', await page.locator('[data-metric="samples-per-second"]').textContent(), 'after', ((Date.now() - t0) / 1000).toFixed(0), 's');
await page.waitForTimeout(20000);
await page.locator('#train').screenshot({path: screenshotPath('cnn-1-epoch.png')});
console.log('errors', page.errors);
await b.close();
await srv.close();
