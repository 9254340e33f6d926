import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  phonePage,
  screenshot,
  signInThroughUi,
  startServer,
  type TestServer,
  tokenOf,
} from './server';

describe('consumer app: sign-in, member code, wallet (issue 2)', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in with phone + dev SMS code and shows the member code as a QR code and an empty wallet', async () => {
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid="signin"]');
    expect(await page.textContent('h1')).toBe('欢迎来到联盟生活');
    await page.fill('input[name="phone"]', '13800000001');
    await page.click('[data-testid="send-code"]');
    const hint = await page.waitForSelector('[data-testid="dev-code"]');
    expect(await hint.textContent()).toContain('开发模式');
    await screenshot(page, 'consumer-signin');

    await page.fill('input[name="code"]', /(\d{6})/.exec((await hint.textContent()) ?? '')![1]!);
    await page.click('[data-testid="signin-submit"]');
    await page.waitForSelector('[data-testid="member-code"]');

    const me = await apiClient(server.url).get<{ memberCode: string; user: { phone: string } }>(
      '/v1/me',
      await tokenOf(page),
    );
    expect(me.user.phone).toBe('+8613800000001');
    const shown = (await page.textContent('[data-testid="member-code"]'))!.replace(/\s/g, '');
    expect(shown).toBe(me.memberCode);

    // The QR code is drawn: a canvas with real pixels of both colours.
    const qr = await page.$eval('[data-testid="member-qr"]', (c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 100) dark++;
      return { width: canvas.width, darkShare: dark / (data.length / 4) };
    });
    expect(qr.width).toBeGreaterThan(100);
    expect(qr.darkShare).toBeGreaterThan(0.2);
    expect(qr.darkShare).toBeLessThan(0.8);

    await page.waitForSelector('[data-testid="today-progress"]');
    expect(await page.textContent('[data-testid="wallet-vouchers"]')).toBe('0.00');
    expect(await page.textContent('[data-testid="wallet-eco"]')).toBe('0.00');
    expect(await page.textContent('[data-testid="today-progress"]')).toContain('0/6');
    await screenshot(page, 'consumer-home');

    // Language switch: every string changes, the choice survives a reload.
    await page.click('[data-testid="lang-switch"]');
    await page.waitForSelector('text=Member code');
    expect(await page.textContent('[data-testid="tabbar"]')).toContain('Home');
    await page.reload();
    await page.waitForSelector('[data-testid="member-code"]');
    expect(await page.textContent('.topbar-title')).toBe('Alliance Life');
    await screenshot(page, 'consumer-home-en');
    await context.close();
  });

  it('shows a wrong code in plain words and stays on the sign-in page', async () => {
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.url}/`);
    await page.fill('input[name="phone"]', '13800000002');
    await page.click('[data-testid="send-code"]');
    const code = /(\d{6})/.exec(
      (await (await page.waitForSelector('[data-testid="dev-code"]')).textContent()) ?? '',
    )![1]!;
    await page.fill('input[name="code"]', code === '000000' ? '111111' : '000000');
    await page.click('[data-testid="signin-submit"]');
    const alert = await page.waitForSelector('[role="alert"]');
    expect(await alert.textContent()).toBe('验证码错误或已过期');
    await context.close();
  });

  it('signing out returns to sign-in; a reload keeps the session', async () => {
    const { context, page } = await phonePage(browser);
    await signInThroughUi(page, server.url, '13800000003');
    await page.reload();
    await page.waitForSelector('[data-testid="member-code"]');
    await page.click('a[href="/me"]');
    await page.click('[data-testid="sign-out"]');
    await page.waitForSelector('[data-testid="signin"]');
    await context.close();
  });
});
