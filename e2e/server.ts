/**
 * Test fixture: the real server (`tsx api/node.ts`) on a free port with its own throw-away
 * database, and Chromium driven by playwright-core. Each test file starts one of each.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const artifacts = join(root, 'test-artifacts');
export const OPERATOR_PHONE = '+8613900000000';

export interface TestServer {
  url: string;
  stop: () => Promise<void>;
  output: () => string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'alliance-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(join(root, 'node_modules/.bin/tsx'), ['api/node.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      DEMO_DATA: 'false',
      AUTH_PROVIDER: 'dev',
      OPERATOR_PHONES: OPERATOR_PHONE,
      LOG_LEVEL: 'warn',
      STRIPE_SECRET_KEY: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  // Generous: a fresh PGlite migrates on start, and a busy 2-core machine can take a minute or more.
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`server exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not become healthy in 150 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop, output: () => log };
}

/** Chromium; `lang` sets the browser's own language (`--lang`), which native date inputs follow. */
export async function launchBrowser(options: { lang?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--autoplay-policy=no-user-gesture-required',
      ...(options.lang ? [`--lang=${options.lang}`] : []),
    ],
  });
}

/** Picks a business date (`YYYY-MM-DD`) in a back-office DateField (components/DateField.tsx). */
export async function pickDate(page: Page, testId: string, date: string) {
  const field = page.locator(`[data-testid="${testId}"]`);
  const [year, month, day] = date.split('-') as [string, string, string];
  await field.locator('select[data-part="year"]').selectOption(year);
  await field.locator('select[data-part="month"]').selectOption(month);
  await field.locator('select[data-part="day"]').selectOption(day);
}

/** A phone-sized page (iPhone 12-ish), zh-CN, in a fresh context (own localStorage). */
export async function phonePage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Direct API calls for setting the scene (merchant staff, operator) without clicking through the back office. */
export function apiClient(base: string) {
  async function call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
  return {
    get: <T>(path: string, token?: string) => call<T>('GET', path, token),
    post: <T>(path: string, token: string | undefined, body: unknown = {}) =>
      call<T>('POST', path, token, body),
    async signIn(phone: string): Promise<string> {
      const otp = await call<{ devCode: string }>('POST', '/v1/auth/otp', undefined, { phone });
      const res = await call<{ token: string }>('POST', '/v1/auth/verify', undefined, {
        phone,
        code: otp.devCode,
      });
      return res.token;
    },
  };
}

/** Signs in through the UI (phone, "get code", the dev code shown on screen, submit). */
/** Signs in to the back office through its sign-in page with the dev code, past the privacy notice. */
export async function signInToBackOffice(page: Page, base: string, phone11: string) {
  await page.goto(`${base}/biz/`);
  await page.fill('input[name="phone"]', phone11);
  await page.click('[data-testid="send-code"]');
  const hint = await page.waitForSelector('[data-testid="dev-code"]');
  const code = /(\d{6})/.exec((await hint.textContent()) ?? '')?.[1];
  if (!code) throw new Error('no dev code on screen');
  await page.fill('input[name="code"]', code);
  await page.click('[data-testid="signin-submit"]');
  await acceptPrivacyNotice(page, '.shell');
}

export async function signInThroughUi(page: Page, base: string, phone11: string) {
  await page.goto(`${base}/`);
  await page.fill('input[name="phone"]', phone11);
  await page.click('[data-testid="send-code"]');
  const hint = await page.waitForSelector('[data-testid="dev-code"]');
  const code = /(\d{6})/.exec((await hint.textContent()) ?? '')?.[1];
  if (!code) throw new Error('no dev code on screen');
  await page.fill('input[name="code"]', code);
  await page.click('[data-testid="signin-submit"]');
  await acceptPrivacyNotice(page, '[data-testid="member-code"]');
}

/**
 * After the code is submitted, in either app: accepts the privacy notice when it is asked for (first
 * sign-in through the UI, or a new version), then waits for `ready`, the first sign of the app.
 */
export async function acceptPrivacyNotice(page: Page, ready: string) {
  const first = await page.waitForSelector(`[data-testid="privacy-notice"], ${ready}`);
  if ((await first.getAttribute('data-testid')) === 'privacy-notice') {
    await page.click('[data-testid="privacy-accept"]');
    await page.waitForSelector(ready);
  }
}

/** The bearer token the app stored after signing in. */
export async function tokenOf(page: Page): Promise<string> {
  const raw = await page.evaluate(() => localStorage.getItem('alliance.consumer.session'));
  return (JSON.parse(raw ?? '{}') as { token: string }).token;
}
