// money.ts alone: the package index also exports Solid components, which Node cannot load.
import { formatFen, formatPoints } from '@alliance/web-shared/money';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptPrivacyNotice,
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  phonePage,
  screenshot,
  signInThroughUi,
  startServer,
  type TestServer,
  tokenOf,
} from './server';

/**
 * The consumer app against the real server, one server for the file: sign-in, member code and
 * wallet (issue 2), in-store sale confirmation (issue 5), video tasks (issue 6) and an online order
 * with tracking (issue 7). Merchants, suppliers and the operator set
 * the scene through the API; the consumer only clicks.
 */
describe('consumer app', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let operator: string;
  let owner: string;
  let merchantId: string;
  let page: Page;
  let consumerToken: string;
  let memberCode: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    api = apiClient(server.url);
    [operator, owner] = await Promise.all([api.signIn(OPERATOR_PHONE), api.signIn('+8613800000100')]);
    ({ id: merchantId } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '老王面馆',
      category: '餐饮',
      address: '上海市静安区南京西路 100 号',
    }));
    await api.post(`/v1/platform/merchants/${merchantId}/approve`, operator);

    ({ page } = await phonePage(browser));
    await signInThroughUi(page, server.url, '13800000011');
    consumerToken = await tokenOf(page);
    ({ memberCode } = await api.get<{ memberCode: string }>('/v1/me', consumerToken));
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
    await acceptPrivacyNotice(page, '[data-testid="member-code"]');

    const me = await apiClient(server.url).get<{ memberCode: string; user: { phone: string } }>(
      '/v1/me',
      await tokenOf(page),
    );
    expect(me.user.phone).toBe('+8613800000001');
    // The rotating code: 8 digits that name this consumer at the till for a few minutes.
    await page.waitForSelector('[data-testid="member-code-rotates"]');
    const shown = (await page.textContent('[data-testid="member-code"]'))!.replace(/\s/g, '');
    expect(shown).toMatch(/^\d{8}$/);
    expect(shown).not.toBe(me.memberCode);

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

  const recordSale = (amount: number) =>
    api.post<{ id: string; vouchers: number }>(`/v1/merchants/${merchantId}/sales`, owner, {
      memberCode,
      amount,
    });

  it('confirms in-store sales: warns when the merchant has vouchers paused, then issues vouchers', async () => {
    // No ad points yet: the sale is shown with the paused warning and confirming issues nothing.
    await recordSale(5000);
    await page.reload();
    await page.waitForSelector('[data-testid="pending-sale"]');
    expect(await page.textContent('[data-testid="pending-sale"]')).toContain('¥50.00');
    expect(await page.textContent('[data-testid="paused-warning"]')).toContain('暂停');
    await screenshot(page, 'consumer-pending-paused');
    await page.click('[data-testid="confirm-sale"]');
    expect(await (await page.waitForSelector('[data-testid="pending-message"]')).textContent()).toBe(
      '已确认。商家广告点数不足，本次未发放广告券',
    );
    expect(await page.textContent('[data-testid="wallet-vouchers"]')).toBe('0.00');

    // The merchant tops up 100 yuan through the (fake) Stripe checkout.
    const topup = await api.post<{ id: string; checkoutUrl: string }>(
      `/v1/merchants/${merchantId}/topups`,
      owner,
      {
        amount: 10_000,
      },
    );
    const paid = await fetch(`${topup.checkoutUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=card',
      redirect: 'manual',
    });
    expect(paid.status).toBeGreaterThanOrEqual(300);
    const status = await api.get<{ status: string }>(`/v1/merchants/${merchantId}/topups/${topup.id}`, owner);
    expect(status.status).toBe('paid');

    const sale = await recordSale(8800);
    expect(sale.vouchers).toBeGreaterThan(0);
    await page.reload();
    await page.waitForSelector('[data-testid="pending-sale"]');
    expect(await page.$('[data-testid="paused-warning"]')).toBeNull();
    expect(await page.textContent('[data-testid="pending-sale"]')).toContain(
      `+${formatPoints(sale.vouchers)}`,
    );
    await screenshot(page, 'consumer-pending');
    await page.click('[data-testid="confirm-sale"]');
    expect(await (await page.waitForSelector('[data-testid="pending-message"]')).textContent()).toBe(
      `已确认，获得 ${formatPoints(sale.vouchers)} 广告券`,
    );
    await page.waitForFunction(
      (v) => document.querySelector('[data-testid="wallet-vouchers"]')?.textContent === v,
      formatPoints(sale.vouchers),
    );
    const wallet = await api.get<{ vouchers: number }>('/v1/wallet', consumerToken);
    expect(wallet.vouchers).toBe(sale.vouchers);

    // The history lists the reward with the balance after it.
    await page.click('[data-testid="wallet-vouchers"]');
    await page.waitForSelector('[data-testid="history-entry"]');
    expect(await page.textContent('[data-testid="history-entry"]')).toContain(
      `+${formatPoints(sale.vouchers)}`,
    );
    await screenshot(page, 'consumer-history');
  });

  it('watches a video to the end: progress reports, verified completion, day progress', async () => {
    // A 6-second campaign over a bundled clip, and a second one for the hidden-page check.
    for (const title of ['麦香烘焙 · 买一送一', '晨光茶饮 · 新品上市']) {
      await api.post('/v1/platform/campaigns', operator, {
        title,
        mediaUrl: title.startsWith('麦') ? '/videos/bakery.webm' : '/videos/sunrise.webm',
        durationSeconds: title.startsWith('麦') ? 6 : 8,
        pricePerCompletion: 50,
        budget: 1000,
      });
    }
    await page.click('a[href="/tasks"]');
    await page.waitForSelector('[data-testid="start-video"]');
    expect(await page.textContent('[data-testid="tasks-day"]')).toBe('0/6');
    await screenshot(page, 'consumer-tasks');
    await page.click('[data-testid="start-video"]');
    await page.waitForSelector('[data-testid="video"]');
    // Muted autoplay normally starts it; the play button covers browsers that refuse.
    const play = await page.$('[data-testid="play"]');
    if (play && (await page.$eval('[data-testid="video"]', (v) => (v as HTMLVideoElement).paused)))
      await play.click();
    await page.waitForFunction(() => {
      const v = document.querySelector('video');
      return v !== null && v.currentTime > 2;
    });
    await screenshot(page, 'consumer-player');
    const done = await page.waitForSelector('[data-testid="player-done"], [data-testid="player-error"]', {
      timeout: 30_000,
    });
    expect(await done.textContent()).toContain('今日已完成 1 个');
    const wallet = await api.get<{ today: { completed: number } }>('/v1/wallet', consumerToken);
    expect(wallet.today.completed).toBe(1);
    await screenshot(page, 'consumer-player-done');

    // The next video: hiding the page pauses it and says so.
    await page.click('[data-testid="next-video"]');
    await page.waitForFunction(() => {
      const v = document.querySelector('video');
      return v?.src.endsWith('/videos/sunrise.webm') === true && v.currentTime > 1;
    });
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForSelector('[data-testid="hidden-notice"]');
    expect(await page.$eval('[data-testid="video"]', (v) => (v as HTMLVideoElement).paused)).toBe(true);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    });
    await screenshot(page, 'consumer-player-hidden');

    // Leaving mid-video asks first; the list then offers to continue this video.
    page.once('dialog', (d) => void d.accept());
    await page.click('[aria-label="返回"]');
    await page.waitForSelector('[data-testid="tasks-day"]');
    expect(await page.textContent('[data-testid="tasks-day"]')).toBe('1/6');
    expect(await page.textContent('[data-testid="continue-video"]')).toBe('继续观看第 2 个视频');
  });

  it("watches the day's six videos and sees the eco-point arrive at the sixth", async () => {
    // One video is done; five more 6-second campaigns make the day's six with the default rule.
    const clips = ['market', 'bakery', 'sunrise', 'garden', 'market'];
    for (const [i, clip] of clips.entries()) {
      await api.post('/v1/platform/campaigns', operator, {
        title: `街坊联盟广告 ${i + 2}`,
        mediaUrl: `/videos/${clip}.webm`,
        durationSeconds: 6,
        pricePerCompletion: 50,
        budget: 1000,
      });
    }
    const before = await api.get<{ vouchers: number; ecoPoints: number }>('/v1/wallet', consumerToken);
    expect(before.ecoPoints).toBe(0);
    await page.click('[data-testid="continue-video"]');
    for (let n = 2; n <= 6; n++) {
      // The previous video's result may still be on screen: wait for this one's, or a refusal. A
      // video the browser did not start on its own (a loaded machine) is started as a person would,
      // with its play button, whenever it shows.
      const giveUpAt = Date.now() + 30_000;
      for (;;) {
        const state = await page.evaluate((count) => {
          if (document.querySelector('[data-testid="player-error"]')) return 'error';
          const done = document.querySelector('[data-testid="player-done"]')?.textContent ?? '';
          if (done.includes(`今日已完成 ${count} 个`)) return 'done';
          (document.querySelector('[data-testid="play"]') as HTMLElement | null)?.click();
          return document.querySelector('main')?.textContent ?? '';
        }, n);
        if (state === 'done' || state === 'error') break;
        if (Date.now() > giveUpAt) throw new Error(`video ${n} did not finish; the page says: ${state}`);
        await page.waitForTimeout(250);
      }
      expect(await page.$('[data-testid="player-error"]')).toBeNull();
      if (n < 6) await page.click('[data-testid="next-video"]');
    }
    expect(await page.textContent('[data-testid="conversion"]')).toBe('已兑换：广告券 -1.00，生态积分 +1.00');
    await screenshot(page, 'consumer-player-converted');
    // 6/6: the task page says so calmly, with no watch button, on a phone and on a desktop.
    await page.goto(new URL('/tasks', page.url()).toString());
    expect(await (await page.waitForSelector('[data-testid="all-done"]')).textContent()).toBe(
      '今天的 6 个视频都看完了，明天再来吧',
    );
    expect(await page.$('[data-testid="start-video"], [data-testid="task-error"]')).toBeNull();
    await screenshot(page, 'consumer-tasks-all-done-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    await screenshot(page, 'consumer-tasks-all-done-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    const after = await api.get<{ vouchers: number; ecoPoints: number; today: { completed: number } }>(
      '/v1/wallet',
      consumerToken,
    );
    expect(after.vouchers).toBe(before.vouchers - 100);
    expect(after.ecoPoints).toBe(100);
    expect(after.today.completed).toBe(6);

    // The eco-point is on the home page's wallet too.
    await page.goto(new URL('/', page.url()).toString());
    await page.waitForFunction(
      () => document.querySelector('[data-testid="wallet-eco"]')?.textContent?.trim() === '1.00',
    );
    await screenshot(page, 'consumer-home-eco-point');
  });

  it('orders a supplier product, pays on the checkout page and sees the carrier and tracking number', async () => {
    const supplierOwner = await api.signIn('+8613800000200');
    const { id: supplierId } = await api.post<{ id: string }>('/v1/suppliers', supplierOwner, {
      name: '绿野果蔬',
    });
    await api.post(`/v1/platform/suppliers/${supplierId}/approve`, operator);
    const product = await api.post<{ id: string }>(`/v1/suppliers/${supplierId}/products`, supplierOwner, {
      title: '有机草莓 500g',
      wholesalePrice: 2000,
      stock: 50,
    });
    await api.post(`/v1/merchants/${merchantId}/listings`, owner, {
      supplierProductId: product.id,
      price: 3990,
    });

    await page.goto(`${server.url}/merchants`);
    await page.click('[data-testid="merchant"]');
    await page.waitForSelector('[data-testid="listing"]');
    await screenshot(page, 'consumer-shop');
    await page.click('[data-testid="add-to-cart"]');
    await page.click('[data-testid="add-to-cart"]');
    await page.click('[data-testid="cart-link"]');
    expect(await page.textContent('[data-testid="cart-total"]')).toBe(formatFen(7980));
    await page.fill('input[name="name"]', '张三');
    await page.fill('input[name="phone"]', '13800000011');
    await page.fill('input[name="region"]', '上海市 浦东新区');
    await page.fill('input[name="address"]', '世纪大道 1 号 1 室');
    await screenshot(page, 'consumer-checkout');
    await page.click('[data-testid="pay"]');

    // The fake Stripe's page: pay, and come back to the order.
    const next = await page.waitForSelector('#pay, [role="alert"]');
    if ((await next.getAttribute('role')) === 'alert')
      throw new Error(`checkout refused: ${await next.textContent()}`);
    await page.click('#pay');
    await page.waitForSelector('[data-testid="paid-banner"]');
    expect(await page.textContent('[data-testid="status"]')).toBe('已支付');
    const orderId = new URL(page.url()).pathname.split('/').pop()!;

    const { data } = await api.get<{ data: Array<{ id: string; orderId: string }> }>(
      `/v1/suppliers/${supplierId}/fulfillments?status=to_ship`,
      supplierOwner,
    );
    const fulfillment = data.find((f) => f.orderId === orderId)!;
    await api.post(`/v1/fulfillments/${fulfillment.id}/ship`, supplierOwner, {
      carrier: '顺丰速运',
      trackingNumber: 'SF1234567890',
    });
    await page.reload();
    await page.waitForSelector('[data-testid="tracking-number"]');
    expect(await page.textContent('[data-testid="carrier"]')).toBe('顺丰速运');
    expect(await page.textContent('[data-testid="tracking-number"]')).toBe('SF1234567890');
    await screenshot(page, 'consumer-order-tracking');

    await page.click('a[href="/orders"]');
    await page.waitForSelector('[data-testid="order"]');
    expect(await page.textContent('[data-testid="order"]')).toContain(formatFen(7980));
  });
});
