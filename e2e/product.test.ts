import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  phonePage,
  screenshot,
  signInThroughUi,
  signInToBackOffice,
  startServer,
  type TestServer,
} from './server';

/** Pays a hosted checkout page as the shopper would, without a browser. */
async function payCheckout(checkoutUrl: string) {
  const res = await fetch(`${checkoutUrl}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'method=card',
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
}

/** A desktop-sized page (1440×900), zh-CN, in a fresh context. */
async function desktopPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return { context, page: await context.newPage() };
}

/**
 * What merchants and consumers hit in their first hour (issue 15), on a phone and a desktop,
 * against one real server for the file: the scene is set through the API, people only click.
 */
describe('first hour (issue 15)', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let operator: string;
  let owner: string;
  let merchantId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    api = apiClient(server.url);
    [operator, owner] = await Promise.all([api.signIn(OPERATOR_PHONE), api.signIn('+8613800000300')]);
    ({ id: merchantId } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '街角咖啡',
      category: '餐饮',
      address: '上海市徐汇区衡山路 8 号',
    }));
    await api.post(`/v1/platform/merchants/${merchantId}/approve`, operator);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('tells the consumer before paying that the vouchers are paused; Cancel keeps the cart; the paid order says why none', async () => {
    // The merchant holds no ad points: its vouchers cannot be covered.
    await api.post(`/v1/merchants/${merchantId}/listings`, owner, {
      title: '手冲咖啡豆 1kg',
      price: 36_000,
      stock: 5,
      ships: false,
    });
    for (const open of [phonePage, desktopPage]) {
      const { context, page } = await open(browser);
      const wide = open === desktopPage;
      await signInThroughUi(page, server.url, wide ? '13800000302' : '13800000301');
      await page.goto(`${server.url}/shop/${merchantId}`);
      await page.click('[data-testid="add-to-cart"]');
      const quote = await page.waitForSelector('[data-testid="voucher-quote"]');
      expect(await quote.getAttribute('data-paused')).toBe('yes');
      expect(await quote.textContent()).toContain('本单付款后不会获得广告券');
      await screenshot(page, `product-shop-paused-${wide ? 'desktop' : 'phone'}`);

      await page.click('[data-testid="cart-link"]');
      await page.waitForSelector('[data-testid="cart-line"]');
      expect(await page.getAttribute('[data-testid="voucher-quote"]', 'data-paused')).toBe('yes');
      await screenshot(page, `product-cart-paused-${wide ? 'desktop' : 'phone'}`);

      // Cancel on the checkout page (served under the app's own port): back on the order, and the cart is still there.
      await page.click('[data-testid="pay"]');
      await page.waitForSelector('#cancel');
      expect(page.url().startsWith(`${server.url}/_stripe/checkout/`)).toBe(true);
      await screenshot(page, `product-checkout-${wide ? 'desktop' : 'phone'}`);
      await page.click('#cancel');
      await page.waitForURL(/checkout=cancelled/);
      await page.goto(`${server.url}/cart`);
      await page.waitForSelector('[data-testid="cart-line"]');

      await page.click('[data-testid="pay"]');
      await page.click('#pay');
      const outcome = await page.waitForSelector('[data-testid="order-vouchers"]');
      expect(await outcome.textContent()).toBe('本单未获得广告券：商家广告点数不足');
      await screenshot(page, `product-order-no-vouchers-${wide ? 'desktop' : 'phone'}`);
      // Paid: the cart is empty now.
      expect(await page.evaluate(() => localStorage.getItem('alliance.consumer.cart'))).toBeNull();
      await context.close();
    }

    // After a top-up the same cart says how many vouchers it earns, and the order says it got them.
    const topup = await api.post<{ checkoutUrl: string }>(`/v1/merchants/${merchantId}/topups`, owner, {
      amount: 100_000,
    });
    await fetch(`${topup.checkoutUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=card',
      redirect: 'manual',
    });
    const { context, page } = await phonePage(browser);
    await signInThroughUi(page, server.url, '13800000303');
    await page.goto(`${server.url}/shop/${merchantId}`);
    await page.click('[data-testid="add-to-cart"]');
    await page.waitForSelector('[data-testid="voucher-quote"][data-paused="no"]');
    expect(await page.textContent('[data-testid="voucher-quote"]')).toBe('现金支付本单可得 360.00 广告券');
    await page.click('[data-testid="cart-link"]');
    await page.click('[data-testid="pay"]');
    await page.click('#pay');
    const outcome = await page.waitForSelector('[data-testid="order-vouchers"]');
    expect(await outcome.textContent()).toBe('本单获得 360.00 广告券');
    await screenshot(page, 'product-order-vouchers-phone');
    await context.close();
  });

  it('the merchant ships its own order with carrier and tracking, refunds after a second look, edits and delists a product', async () => {
    const kettle = await api.post<{ id: string }>(`/v1/merchants/${merchantId}/listings`, owner, {
      title: '手冲壶 600ml',
      price: 12_800,
      stock: 10,
    });
    const shopper = await api.signIn('+8613800000304');
    const order = await api.post<{ id: string; checkoutUrl: string }>('/v1/orders', shopper, {
      merchantId,
      items: [{ listingId: kettle.id, quantity: 1 }],
      shipTo: { name: '李四', phone: '+8613800000304', region: '浙江省 杭州市', address: '文三路 1 号' },
    });
    await payCheckout(order.checkoutUrl);

    const { context, page } = await desktopPage(browser);
    await signInToBackOffice(page, server.url, '13800000300');
    await page.goto(`${server.url}/biz/merchants/${merchantId}/orders`);
    const block = page.locator('[data-testid="order"]', { hasText: '手冲壶' });
    await block.waitFor();
    expect(await block.locator('[data-testid="ship-to"]').textContent()).toContain('文三路 1 号');
    await block.locator('[data-testid="order-status"]', { hasText: '待发货' }).waitFor();
    await screenshot(page, 'product-biz-orders-to-ship-desktop');
    await block.locator('input[name="carrier"]').fill('顺丰速运');
    await block.locator('input[name="trackingNumber"]').fill('SF9876543210');
    await block.locator('[data-testid="ship-order"]').click();
    await page.waitForSelector('[data-testid="orders-done"]');
    await block.locator('[data-testid="own-shipment"]').waitFor();
    await block.locator('[data-testid="order-status"]', { hasText: '已发货' }).waitFor();
    const shipped = await api.get<{ data: Array<{ carrier: string; trackingNumber: string }> }>(
      `/v1/orders/${order.id}/fulfillments`,
      shopper,
    );
    expect(shipped.data[0]).toMatchObject({ carrier: '顺丰速运', trackingNumber: 'SF9876543210' });

    // A refund asks first; Cancel moves nothing, Confirm refunds.
    await block.locator('[data-testid="refund-order"]').click();
    await block.locator('input[name="refundAmount"]').fill('28.00');
    await block.locator('[data-testid="refund-submit"]').click();
    await page.waitForSelector('[data-testid="confirm-dialog"]');
    expect(await page.textContent('[data-testid="confirm-dialog"] h2')).toContain('¥28.00');
    await screenshot(page, 'product-biz-refund-confirm-desktop');
    await page.click('[data-testid="confirm-no"]');
    expect((await api.get<{ refunded: number }>(`/v1/orders/${order.id}`, shopper)).refunded).toBe(0);
    await block.locator('[data-testid="refund-submit"]').click();
    await page.click('[data-testid="confirm-yes"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="orders-done"]')?.textContent?.includes('已退款 ¥28.00'),
    );
    expect((await api.get<{ refunded: number }>(`/v1/orders/${order.id}`, shopper)).refunded).toBe(2800);
    await block.locator('[data-testid="order-status"]', { hasText: '部分退款' }).waitFor();

    // Products: reprice (asked first) and delist; the shop no longer shows it.
    await page.goto(`${server.url}/biz/merchants/${merchantId}/products`);
    const row = page.locator('tr', { hasText: '手冲壶 600ml' });
    await row.locator('[data-testid="edit-listing-button"]').click();
    const form = page.locator('[data-testid="edit-listing"]');
    await form.locator('input[name="price"]').fill('99.00');
    await form.locator('input[name="imageUrl"]').fill('/demo/kettle.svg');
    await form.locator('[data-testid="save-listing"]').click();
    expect(await page.textContent('[data-testid="confirm-dialog"] h2')).toContain('¥99.00');
    await page.click('[data-testid="confirm-yes"]');
    await row.locator('text=¥99.00').waitFor();
    await row.locator('[data-testid="toggle-listing"]').click();
    await page.click('[data-testid="confirm-yes"]');
    await row.locator('text=重新上架').waitFor();
    await screenshot(page, 'product-biz-products-desktop');
    const shop = await api.get<{ data: Array<{ title: string }> }>(`/v1/merchants/${merchantId}/listings`);
    expect(shop.data.map((l) => l.title)).not.toContain('手冲壶 600ml');
    await context.close();

    // The same pages on a phone.
    const phone = await phonePage(browser);
    await signInToBackOffice(phone.page, server.url, '13800000300');
    await phone.page.goto(`${server.url}/biz/merchants/${merchantId}/orders`);
    await phone.page.waitForSelector('[data-testid="order"]');
    await screenshot(phone.page, 'product-biz-orders-phone');
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    await phone.context.close();
  });

  it("the merchant cancels its own shipment after a confirmation that names the refund, and records another's return", async () => {
    const teapot = await api.post<{ id: string }>(`/v1/merchants/${merchantId}/listings`, owner, {
      title: '紫砂壶',
      price: 25_000,
      stock: 4,
    });
    const shopper = await api.signIn('+8613800000305');
    const paidOrder = async () => {
      const order = await api.post<{ id: string; checkoutUrl: string }>('/v1/orders', shopper, {
        merchantId,
        items: [{ listingId: teapot.id, quantity: 1 }],
        shipTo: { name: '王五', phone: '+8613800000305', region: '江苏省 苏州市', address: '人民路 2 号' },
      });
      await payCheckout(order.checkoutUrl);
      return order.id;
    };
    const first = await paidOrder();
    const stock = async () =>
      (
        await api.get<{ data: Array<{ id: string; stock: number }> }>(`/v1/merchants/${merchantId}/listings`)
      ).data.find((l) => l.id === teapot.id)?.stock;
    expect(await stock()).toBe(3);

    const { context, page } = await phonePage(browser);
    await signInToBackOffice(page, server.url, '13800000300');
    await page.goto(`${server.url}/biz/merchants/${merchantId}/orders`);
    const block = page.locator('[data-testid="order"]', { hasText: first.slice(-8).toUpperCase() });
    await block.locator('[data-testid="cancel-own"]').click();
    await page.waitForSelector('[data-testid="confirm-dialog"]');
    expect(await page.textContent('[data-testid="confirm-dialog"]')).toContain('¥250.00');
    await screenshot(page, 'product-biz-cancel-own-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    await screenshot(page, 'product-biz-cancel-own-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('[data-testid="confirm-no"]');
    expect((await api.get<{ refunded: number }>(`/v1/orders/${first}`, shopper)).refunded).toBe(0);
    await block.locator('[data-testid="cancel-own"]').click();
    await page.fill('[data-testid="confirm-dialog"] input[name="reason"]', '缺货');
    await page.click('[data-testid="confirm-yes"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="orders-done"]')?.textContent?.includes('已退款 ¥250.00'),
    );
    expect((await api.get<{ refunded: number }>(`/v1/orders/${first}`, shopper)).refunded).toBe(25_000);
    expect(await stock()).toBe(4);
    await block.locator('[data-testid="order-status"]', { hasText: '已退款' }).waitFor();

    // Shipped, then the goods come back: recorded after a confirmation; no money moves.
    const second = await paidOrder();
    const own = await api.get<{ data: Array<{ id: string }> }>(`/v1/orders/${second}/fulfillments`, shopper);
    await api.post(`/v1/fulfillments/${own.data[0]!.id}/ship`, owner, {
      carrier: '顺丰速运',
      trackingNumber: 'SF1',
    });
    await page.reload();
    const next = page.locator('[data-testid="order"]', { hasText: second.slice(-8).toUpperCase() });
    await next.locator('[data-testid="return-own"]').click();
    await page.fill('[data-testid="confirm-dialog"] input[name="reason"]', '破损');
    await page.click('[data-testid="confirm-yes"]');
    await next.locator('[data-testid="own-shipment"]', { hasText: '已退货' }).waitFor();
    await next.locator('[data-testid="order-status"]', { hasText: '已退货' }).waitFor();
    expect((await api.get<{ refunded: number }>(`/v1/orders/${second}`, shopper)).refunded).toBe(0);
    await context.close();
  });

  it('video tasks: the reward shown first, no vouchers means a disabled button with the reason, a reload resumes the video', async () => {
    // One campaign is shown once a day per person: two for two videos.
    for (const [title, mediaUrl] of [
      ['麦香烘焙 · 买一送一', '/videos/bakery.webm'],
      ['晨光茶饮 · 新品上市', '/videos/sunrise.webm'],
    ] as const) {
      await api.post('/v1/platform/campaigns', operator, {
        title,
        mediaUrl,
        durationSeconds: 6,
        pricePerCompletion: 50,
        budget: 1000,
      });
    }
    // The first shopper has no vouchers: the button is off and says why before any tap.
    for (const open of [phonePage, desktopPage]) {
      const { context, page } = await open(browser);
      await signInThroughUi(page, server.url, '13800000301');
      await page.goto(`${server.url}/tasks`);
      await page.waitForSelector('[data-testid="reward"]');
      expect(await page.textContent('[data-testid="reward"]')).toBe(
        '看完 6 个视频，用 1.00 广告券兑换 1.00 生态积分',
      );
      expect(await page.textContent('[data-testid="no-vouchers"]')).toContain('需要至少 1.00 广告券');
      expect(await page.isDisabled('[data-testid="start-video"]')).toBe(true);
      await screenshot(page, `product-tasks-no-vouchers-${open === desktopPage ? 'desktop' : 'phone'}`);
      await context.close();
    }

    // The third shopper earned 360.00 vouchers: starts, reloads mid-video, continues to a verified completion.
    const { context, page } = await phonePage(browser);
    await signInThroughUi(page, server.url, '13800000303');
    await page.goto(`${server.url}/tasks`);
    await page.click('[data-testid="start-video"]');
    await page.waitForSelector('[data-testid="video"]');
    const playIfPaused = async () => {
      const play = await page.$('[data-testid="play"]');
      if (play && (await page.$eval('[data-testid="video"]', (v) => (v as HTMLVideoElement).paused)))
        await play.click();
    };
    await playIfPaused();
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 2.5);
    expect(await page.textContent('[data-testid="video-position"]')).toMatch(/^还剩 \d 秒$/);
    await screenshot(page, 'product-player-countdown-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(await page.textContent('[data-testid="video-position"]')).toMatch(/^还剩 \d 秒$/);
    await screenshot(page, 'product-player-countdown-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('[data-testid="video"]');
    await playIfPaused();
    const done = await page.waitForSelector('[data-testid="player-done"], [data-testid="player-error"]', {
      timeout: 30_000,
    });
    expect(await done.textContent()).toContain('今日已完成 1 个');
    // Back on the list, a view left mid-way offers "continue" rather than a new one.
    await page.click('[data-testid="next-video"]');
    await page.waitForFunction(
      () => document.querySelector('.topbar-title')?.textContent === '晨光茶饮 · 新品上市',
    );
    await playIfPaused();
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1);
    // Leaving mid-video asks first.
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.accept();
      }),
    );
    await screenshot(page, 'product-player-before-leave-phone');
    await page.click('button.back');
    expect(await asked).toContain('可以从任务页继续观看');
    await page.waitForSelector('[data-testid="continue-video"]');
    expect(await page.textContent('[data-testid="continue-video"]')).toBe('继续观看第 2 个视频');
    await screenshot(page, 'product-tasks-continue-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    await screenshot(page, 'product-tasks-continue-desktop');
    await context.close();
    // Two real-time videos on a busy machine.
  }, 180_000);

  it('member code: the app shows a rotating 8-digit code the cashier keys in; no camera falls back to typing; phones masked', async () => {
    const { context, page } = await phonePage(browser);
    await signInThroughUi(page, server.url, '13800000305');
    await page.waitForSelector('[data-testid="member-code-rotates"]');
    const code = (await page.textContent('[data-testid="member-code"]'))!.replace(/\s/g, '');
    expect(code).toMatch(/^\d{8}$/);
    expect(await page.textContent('[data-testid="member-card"]')).toContain('+86 138****0305');
    await screenshot(page, 'product-member-code-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    await screenshot(page, 'product-member-code-desktop');
    await page.setViewportSize({ width: 390, height: 844 });

    const biz = await desktopPage(browser);
    await signInToBackOffice(biz.page, server.url, '13800000300');
    await biz.page.goto(`${server.url}/biz/merchants/${merchantId}/sales`);
    expect(await biz.page.textContent('form')).toContain('「首页」');
    // Headless Chromium has no camera: the scanner says so and typing remains.
    await biz.page.click('[data-testid="scan-member"]');
    await biz.page.waitForSelector('text=没有可用的摄像头');
    await biz.page.fill('input[name="memberCode"]', code);
    await biz.page.fill('input[name="amount"]', '12.00');
    await biz.page.click('[data-testid="record-sale"]');
    await biz.page.waitForSelector('[data-testid="sale-status"]');
    await screenshot(biz.page, 'product-biz-sale-by-rotating-code-desktop');
    await biz.page.setViewportSize({ width: 390, height: 844 });
    expect(await biz.page.isVisible('[data-testid="sale-status"]')).toBe(true);
    await screenshot(biz.page, 'product-biz-sale-by-rotating-code-phone');
    expect(await biz.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await biz.page.setViewportSize({ width: 1440, height: 900 });
    await page.reload();
    await page.waitForSelector('[data-testid="pending-sale"]');
    expect(await page.textContent('[data-testid="pending-sale"]')).toContain('¥12.00');
    // At 1024 px the sales table's refund buttons are inside the window, not clipped.
    await page.click('[data-testid="confirm-sale"]');
    await page.waitForSelector('[data-testid="pending-message"]');
    await biz.page.setViewportSize({ width: 1024, height: 768 });
    await biz.page.reload();
    await biz.page.waitForSelector('[data-testid="sales-table"] button');
    const rightEdges = await biz.page.$$eval('[data-testid="sales-table"] button', (buttons) =>
      buttons.map((b) => b.getBoundingClientRect().right),
    );
    expect(Math.max(...rightEdges)).toBeLessThanOrEqual(1024);
    await screenshot(biz.page, 'product-biz-sales-1024');
    await biz.context.close();
    await context.close();
  });

  it("a second merchant's first day at 390 and 1440: today's figures, the new-order notice, status words, one active tab, a photo, a refund's second look, campaign pause, an ad-point adjustment", async () => {
    const bakeryOwner = await api.signIn('+8613800000310');
    const { id: bakery } = await api.post<{ id: string }>('/v1/merchants', bakeryOwner, {
      name: '麦香烘焙',
      category: '餐饮',
    });
    await api.post(`/v1/platform/merchants/${bakery}/approve`, operator);
    const paid = await api.post<{ checkoutUrl: string }>(`/v1/merchants/${bakery}/topups`, bakeryOwner, {
      amount: 10_000,
    });
    await payCheckout(paid.checkoutUrl);
    // A top-up left on the checkout page waits for payment, not for a review.
    await api.post(`/v1/merchants/${bakery}/topups`, bakeryOwner, { amount: 5_000 });
    const toast = await api.post<{ id: string }>(`/v1/merchants/${bakery}/listings`, bakeryOwner, {
      title: '全麦吐司',
      price: 2_800,
      stock: 20,
      imageUrl: '/demo/kettle.svg',
    });
    const shopperPhone = '13800000311';
    const shopper = await api.signIn(`+86${shopperPhone}`);
    const orderToast = () =>
      api.post<{ id: string; checkoutUrl: string }>('/v1/orders', shopper, {
        merchantId: bakery,
        items: [{ listingId: toast.id, quantity: 1 }],
        shipTo: {
          name: '赵六',
          phone: `+86${shopperPhone}`,
          region: '上海市 徐汇区',
          address: '漕溪路 3 号',
        },
      });
    const unpaid = await orderToast();
    // Paid, shipped by the bakery, delivered: the consumer confirms it arrived.
    const delivered = await orderToast();
    await payCheckout(delivered.checkoutUrl);
    const [own] = (
      await api.get<{ data: Array<{ id: string }> }>(`/v1/orders/${delivered.id}/fulfillments`, shopper)
    ).data;
    await api.post(`/v1/fulfillments/${own!.id}/ship`, bakeryOwner, {
      carrier: '顺丰速运',
      trackingNumber: 'SF2',
    });
    await api.post(`/v1/orders/${delivered.id}/fulfillments/${own!.id}/confirm-delivery`, shopper);
    // An in-store sale of ¥50.00, confirmed by the consumer: today's takings are ¥78.00 (with the paid
    // ¥28.00 order) and today's voucher cost 15% of that, 11.70 ad points.
    const { memberCode } = await api.get<{ memberCode: string }>('/v1/me', shopper);
    const sale = await api.post<{ id: string }>(`/v1/merchants/${bakery}/sales`, bakeryOwner, {
      memberCode,
      amount: 5_000,
    });
    await api.post(`/v1/sales/${sale.id}/confirm`, shopper);

    const fits = async (page: Page, width: number) =>
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const sizes = [
      { name: 'desktop', width: 1440, height: 900 },
      { name: 'phone', width: 390, height: 844 },
    ];

    // The back office: the dashboard, then a paid order arrives while it is open.
    const biz = await desktopPage(browser);
    await signInToBackOffice(biz.page, server.url, '13800000310');
    const m = `${server.url}/biz/merchants/${bakery}`;
    await biz.page.goto(m);
    await biz.page.waitForSelector('[data-testid="today"]');
    await biz.page.waitForLoadState('networkidle');
    expect(await biz.page.textContent('[data-testid="today-takings"]')).toBe('¥78.00');
    expect(await biz.page.textContent('[data-testid="today-orders"]')).toBe('1');
    expect(await biz.page.textContent('[data-testid="today-voucher-cost"]')).toBe('11.70');
    await payCheckout((await orderToast()).checkoutUrl);
    // The workspace polls every 20 s.
    const notice = await biz.page.waitForSelector('[data-testid="new-order"]', { timeout: 30_000 });
    expect(await notice.textContent()).toContain('有 1 笔新的线上订单已付款，等待处理');
    for (const size of sizes) {
      await biz.page.setViewportSize(size);
      await screenshot(biz.page, `product-biz-dashboard-new-order-${size.name}`);
      await fits(biz.page, size.width);
    }

    for (const size of sizes) {
      await biz.page.setViewportSize(size);
      await biz.page.goto(`${m}/topups`);
      const abandoned = biz.page.locator('[data-testid="topups-table"] tr', { hasText: '¥50.00' });
      expect(await abandoned.locator('.badge').textContent()).toBe('待支付');
      await screenshot(biz.page, `product-biz-topups-${size.name}`);
      await fits(biz.page, size.width);

      await biz.page.goto(`${m}/orders`);
      const block = biz.page.locator('[data-testid="order"]', {
        hasText: delivered.id.slice(-8).toUpperCase(),
      });
      await block.locator('[data-testid="order-status"]', { hasText: '已签收' }).waitFor();
      // A refund is asked first on either screen; Cancel moves nothing.
      await block.locator('[data-testid="refund-order"]').click();
      await block.locator('input[name="refundAmount"]').fill('28.00');
      await block.locator('[data-testid="refund-submit"]').click();
      expect(await biz.page.textContent('[data-testid="confirm-dialog"] h2')).toContain('¥28.00');
      await screenshot(biz.page, `product-biz-refund-delivered-${size.name}`);
      await biz.page.click('[data-testid="confirm-no"]');
      await fits(biz.page, size.width);

      await biz.page.goto(`${m}/products`);
      const photo = biz.page.locator('tr', { hasText: '全麦吐司' }).locator('img');
      await photo.waitFor();
      expect(await photo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      await screenshot(biz.page, `product-biz-products-${size.name}`);
      await fits(biz.page, size.width);
    }
    expect((await api.get<{ refunded: number }>(`/v1/orders/${delivered.id}`, shopper)).refunded).toBe(0);
    await biz.context.close();

    // The operator pauses and resumes a campaign, on either screen.
    const ops = await desktopPage(browser);
    await signInToBackOffice(ops.page, server.url, OPERATOR_PHONE.slice(3));
    for (const size of sizes) {
      await ops.page.setViewportSize(size);
      await ops.page.goto(`${server.url}/biz/platform/campaigns`);
      const row = ops.page.locator('[data-testid="campaigns"] tr', { hasText: '麦香烘焙 · 买一送一' });
      await row.locator('button', { hasText: '暂停' }).click();
      await row.locator('.badge', { hasText: '已暂停' }).waitFor();
      await screenshot(ops.page, `product-ops-campaign-paused-${size.name}`);
      await fits(ops.page, size.width);
      await row.locator('button', { hasText: '恢复' }).click();
      await row.locator('button', { hasText: '暂停' }).waitFor();
    }
    // And gives the bakery 10.00 ad points after a second look, on either screen (84.10 after the third order).
    for (const [i, size] of sizes.entries()) {
      await ops.page.setViewportSize(size);
      await ops.page.goto(`${server.url}/biz/platform/adjustments`);
      await ops.page.waitForSelector('select[name="merchant"] option:has-text("麦香烘焙")', {
        state: 'attached',
      });
      await ops.page.selectOption('select[name="merchant"]', bakery);
      await ops.page.fill('input[name="amount"]', '10.00');
      await ops.page.fill('input[name="reason"]', '活动补贴');
      await ops.page.click('[data-testid="adjust-submit"]');
      expect(await ops.page.textContent('[data-testid="confirm-dialog"] h2')).toBe(
        '给「麦香烘焙」增加 10.00 广告积分？',
      );
      await screenshot(ops.page, `product-ops-adjust-confirm-${size.name}`);
      await ops.page.click('[data-testid="confirm-yes"]');
      expect(await (await ops.page.waitForSelector('[data-testid="adjust-done"]')).textContent()).toBe(
        `已调整「麦香烘焙」的广告积分，现余额 ${['94.10', '104.10'][i]}`,
      );
      await fits(ops.page, size.width);
    }
    await ops.context.close();

    // The consumer: an unpaid order in waiting words, a delivered one as delivered, one active tab.
    const consumer = await phonePage(browser);
    await signInThroughUi(consumer.page, server.url, shopperPhone);
    for (const size of [...sizes].reverse()) {
      await consumer.page.setViewportSize(size);
      await consumer.page.goto(`${server.url}/orders/${unpaid.id}`);
      const detail = await consumer.page.waitForSelector('[data-testid="order-detail"]');
      expect(await consumer.page.textContent('[data-testid="order-detail"] .badge')).toBe('待支付');
      expect(await detail.textContent()).toContain('应付金额');
      expect(await detail.textContent()).not.toContain('实付金额');
      expect(await consumer.page.textContent('[data-testid="awaiting-payment"]')).toBe(
        '待支付：付款后商家才会备货',
      );
      await screenshot(consumer.page, `product-order-unpaid-${size.name}`);
      await fits(consumer.page, size.width);

      await consumer.page.goto(`${server.url}/orders/${delivered.id}`);
      await consumer.page.waitForSelector('[data-testid="order-detail"] .badge >> text=已送达');

      await consumer.page.goto(`${server.url}/merchants`);
      await consumer.page.waitForLoadState('networkidle');
      expect(
        await consumer.page.$$eval('.tab.active', (tabs) => tabs.map((a) => a.textContent?.trim())),
      ).toEqual(['商家']);
      await screenshot(consumer.page, `product-consumer-merchants-${size.name}`);
      await fits(consumer.page, size.width);
    }
    await consumer.context.close();
  }, 150_000);

  it('walks every page in both languages: no error code, identifier, "fen", undefined, NaN or ISO time is visible', async () => {
    const { id: supplierId } = await api.post<{ id: string }>('/v1/suppliers', owner, { name: '山野茶园' });
    await api.post(`/v1/platform/suppliers/${supplierId}/approve`, operator);
    const shopperPhone = '13800000301';
    const { data: orders } = await api.get<{ data: Array<{ id: string }> }>(
      '/v1/orders',
      await api.signIn(`+86${shopperPhone}`),
    );
    const [{ data: campaigns }, { data: topups }] = await Promise.all([
      api.get<{ data: Array<{ id: string }> }>('/v1/platform/campaigns', operator),
      api.get<{ data: Array<{ id: string; status: string }> }>(`/v1/merchants/${merchantId}/topups`, owner),
    ]);
    const consumerPages = [
      '/',
      // The player for a shopper with no vouchers: the refusal in words.
      `/watch/${campaigns[0]!.id}`,
      '/merchants',
      `/shop/${merchantId}`,
      '/cart',
      '/tasks',
      '/orders',
      `/orders/${orders[0]!.id}`,
      '/history?unit=vouchers',
      '/history?unit=eco_points',
      '/eco-points',
      '/me',
    ];
    const m = `/biz/merchants/${merchantId}`;
    const ownerPages = [
      m,
      `${m}/topups`,
      `${m}/topups/${topups.find((t) => t.status === 'paid')!.id}`,
      `${m}/points`,
      `${m}/eco-points`,
      `${m}/sales`,
      `${m}/products`,
      `${m}/supply`,
      `${m}/orders`,
      `${m}/statement`,
      `${m}/payouts`,
      `${m}/staff`,
      `/biz/suppliers/${supplierId}`,
      `/biz/suppliers/${supplierId}/to-ship`,
      `/biz/suppliers/${supplierId}/shipped`,
      `/biz/suppliers/${supplierId}/payouts`,
      '/biz/apply',
    ];
    const operatorPages = [
      '/biz/platform',
      '/biz/platform/applications',
      '/biz/platform/organisations',
      '/biz/platform/parameters',
      '/biz/platform/adjustments',
      '/biz/platform/campaigns',
      '/biz/platform/refusals',
      '/biz/platform/ledger',
      '/biz/platform/stripe',
      '/biz/platform/payouts',
      '/biz/platform/withdrawals',
    ];
    const leaks: string[] = [];
    const patterns: Array<[string, RegExp]> = [
      ['code or id', /\b[a-z]{2,}_[a-z0-9_]+\b/],
      ['camelCase', /\b[a-z]+[A-Z][A-Za-z]*\b/],
      ['fen', /\bfen\b/i],
      ['undefined', /undefined|\bnull\b/],
      ['NaN', /\bNaN\b/],
      ['ISO time', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/],
      ['project document', /\bSPEC\b|\bADR\b|规格第/],
    ];
    async function walk(pages: string[], signIn: (page: Page) => Promise<void>, wide: boolean) {
      for (const lang of ['zh-CN', 'en']) {
        const { context, page } = await (wide ? desktopPage(browser) : phonePage(browser));
        await context.addInitScript((l) => localStorage.setItem('alliance.locale', l), lang);
        await signIn(page);
        for (const path of pages) {
          await page.goto(`${server.url}${path}`);
          await page.waitForLoadState('networkidle');
          await page.waitForFunction(() => !document.querySelector('.skeleton, [aria-busy="true"]'), null, {
            timeout: 10_000,
          });
          // biome-ignore lint/performance/useDomNodeTextContent: only the text a person can see counts
          const text = await page.evaluate(() => document.body.innerText);
          for (const [what, re] of patterns) {
            const hit = re.exec(text);
            if (hit)
              leaks.push(
                `${lang} ${path}: ${what} «${hit[0]}» in «${text.slice(Math.max(0, hit.index - 30), hit.index + 30).replace(/\s+/g, ' ')}»`,
              );
          }
        }
        await context.close();
      }
    }
    await walk(consumerPages, (page) => signInThroughUi(page, server.url, shopperPhone), false);
    await walk(ownerPages, (page) => signInToBackOffice(page, server.url, '13800000300'), true);
    await walk(operatorPages, (page) => signInToBackOffice(page, server.url, OPERATOR_PHONE.slice(3)), true);
    expect(leaks).toEqual([]);
  });

  it('the dashboard, the orders page and the consumer home fit a phone and a desktop in both languages', async () => {
    const m = `/biz/merchants/${merchantId}`;
    // One sign-in per app and size (SMS codes per phone are rate-limited); the language is switched in place.
    const apps = [
      {
        signIn: (page: Page) => signInToBackOffice(page, server.url, '13800000300'),
        scenes: [
          { shot: 'biz-dashboard', path: m, ready: '[data-testid="today"]' },
          { shot: 'biz-orders', path: `${m}/orders`, ready: '[data-testid="order"]' },
        ],
      },
      {
        signIn: (page: Page) => signInThroughUi(page, server.url, '13800000301'),
        scenes: [{ shot: 'consumer-home', path: '/', ready: '[data-testid="member-code"]' }],
      },
    ];
    const overflowing: string[] = [];
    for (const size of [
      { name: 'phone', open: phonePage, width: 390 },
      { name: 'desktop', open: desktopPage, width: 1440 },
    ]) {
      for (const app of apps) {
        const { context, page } = await size.open(browser);
        await app.signIn(page);
        for (const lang of ['zh-CN', 'en']) {
          await page.evaluate((l) => localStorage.setItem('alliance.locale', l), lang);
          for (const scene of app.scenes) {
            await page.goto(`${server.url}${scene.path}`);
            await page.waitForSelector(scene.ready);
            await page.waitForLoadState('networkidle');
            await screenshot(page, `product-walk-${scene.shot}-${lang}-${size.name}`);
            // Nothing wider than the screen: no sideways scrolling of the page, no element sticking
            // out, except inside a box that scrolls sideways on purpose (the tab strip, wide tables).
            const wide = await page.evaluate(
              (w) =>
                [...document.querySelectorAll<HTMLElement>('body *')]
                  .filter((e) => e.getBoundingClientRect().right > w + 1 && e.offsetParent !== null)
                  .filter((e) => {
                    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
                      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return false;
                    return true;
                  })
                  .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
                  .slice(0, 3),
              size.width,
            );
            const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
            if (scrollWidth > size.width || wide.length > 0)
              overflowing.push(`${scene.shot} ${lang} ${size.name}: ${scrollWidth}px ${wide.join(', ')}`);
          }
        }
        await context.close();
      }
    }
    expect(overflowing).toEqual([]);
  });
});
