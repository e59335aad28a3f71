// Drives the example page in headless Chromium through the DevTools protocol: picks an audio
// file, waits for the conversion, and checks the .sln download and the ringtones.xml entry;
// then a file that is not audio, which must show a typed error. Saves a screenshot.
//
// Usage: node --experimental-websocket example/drive-chromium.mjs [SCREENSHOT.png]
// Needs Debian's chromium (CHROMIUM=path to use another); serves the package on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = join(PKG, '..', '..');
const SCREENSHOT = process.argv[2];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

// The expected MD5 of the file the page converts: the golden set's default-options line.
const AUDIO = join(REPO, 'assets', 'office', 'front-desk-chime.mp3');
const golden = readFileSync(join(REPO, 'tests', 'golden', 'MD5SUMS'), 'utf8')
  .split('\n')
  .find((l) => l.endsWith('  assets/office/front-desk-chime.mp3'))
  .slice(0, 32);

// A static server for the package folder, on the loopback interface only.
const server = createServer((req, res) => {
  const path = normalize(join(PKG, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (!path.startsWith(PKG) || !existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const pageUrl = `http://127.0.0.1:${server.address().port}/example/index.html`;

const profile = mkdtempSync(join(tmpdir(), 'ringforge-chromium-'));
const chromium = spawn(
  process.env.CHROMIUM ?? 'chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--remote-debugging-port=0',
    '--window-size=1000,900',
    'about:blank',
  ],
  // Its own process group: `chromium` is a shell script whose browser processes outlive it
  // unless the whole group is stopped.
  { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
);
const deadline = (ms, what) =>
  new Promise((_, fail) => setTimeout(() => fail(new Error(`timed out: ${what}`)), ms).unref());

try {
  // Chromium writes its DevTools port and browser path to the profile when it is listening.
  const portFile = join(profile, 'DevToolsActivePort');
  const started = Date.now();
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2) {
    if (Date.now() - started > 30_000) throw new Error('chromium did not start');
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const [port, path] = readFileSync(portFile, 'utf8').split('\n');
  const cdp = await connect(`ws://127.0.0.1:${port}${path}`);
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params) => cdp.send(method, params, sessionId);
  await page('Page.enable');
  await page('Runtime.enable');
  await page('Page.navigate', { url: pageUrl });
  const evaluate = async (expression) =>
    (await page('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result.value;
  const waitFor = async (expression, what) => {
    const t0 = Date.now();
    for (;;) {
      const v = await evaluate(expression);
      if (v) return v;
      if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
  };
  await waitFor(`document.body.dataset.ready === 'true'`, 'the module to load');
  const pick = async (file) => {
    const { root } = await page('DOM.getDocument', {});
    const { nodeId } = await page('DOM.querySelector', { nodeId: root.nodeId, selector: '#file' });
    await page('DOM.setFileInputFiles', { nodeId, files: [file] });
  };

  await pick(AUDIO);
  const md5 = await waitFor(`document.getElementById('result').dataset.md5`, 'the conversion');
  assert.equal(md5, golden, 'the page makes the same bytes as the command line');
  const download = await evaluate(`(async () => {
    const a = document.getElementById('download');
    const bytes = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
    return { name: a.download, length: bytes.length, even: bytes.length % 2 === 0 };
  })()`);
  assert.equal(download.name, 'front-desk-chime.sln');
  assert.ok(download.length > 32000 && download.even, JSON.stringify(download));
  const entry = await evaluate(`document.getElementById('entry').textContent`);
  assert.match(entry, /^<tone /);
  assert.ok(entry.includes(`md5="${golden}"`), entry);
  assert.ok(entry.includes('url="http://pbx.example.com/digium_phones/front-desk-chime.sln"'), entry);
  assert.ok(entry.includes('id="front-desk-chime"'), entry);
  if (SCREENSHOT) {
    const { data } = await page('Page.captureScreenshot', { format: 'png' });
    writeFileSync(SCREENSHOT, Buffer.from(data, 'base64'));
  }

  // Not audio: a typed error on the page, and the next file still converts.
  const bad = join(profile, 'notes.mp3');
  writeFileSync(bad, 'this is not audio\n'.repeat(50));
  await pick(bad);
  const kind = await waitFor(`document.getElementById('status').dataset.kind`, 'the error');
  assert.equal(kind, 'unsupported_format');
  await evaluate(`delete document.getElementById('status').dataset.kind`);
  await pick(AUDIO);
  assert.equal(await waitFor(`document.getElementById('result').dataset.md5`, 'the second conversion'), golden);

  console.log(`browser example: ${entry}`);
  console.log('1 passed, 0 failed');
  cdp.close();
} finally {
  const exited = new Promise((ok) => chromium.once('exit', ok));
  try {
    process.kill(-chromium.pid, 'SIGTERM');
  } catch {
    chromium.kill();
  }
  server.close();
  await Promise.race([exited, deadline(10_000, 'chromium exit')]).catch(() => {});
  // The browser's last processes may still be closing files in the profile for a moment.
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/** A minimal DevTools protocol client over the WebSocket Node 20 has behind a flag. */
async function connect(url) {
  const ws = new WebSocket(url);
  await Promise.race([new Promise((ok, fail) => {
    ws.onopen = ok;
    ws.onerror = () => fail(new Error(`cannot connect to ${url}`));
  }), deadline(30_000, 'DevTools connection')]);
  let next = 1;
  const pending = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.fail(new Error(`${waiter.method}: ${msg.error.message}`));
    else waiter.ok(msg.result);
  };
  return {
    send(method, params = {}, sessionId) {
      const id = next++;
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      return Promise.race([
        new Promise((ok, fail) => pending.set(id, { ok, fail, method })),
        deadline(60_000, method),
      ]);
    },
    close: () => ws.close(),
  };
}
