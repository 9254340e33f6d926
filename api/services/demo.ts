import { schema } from '@alliance/db';
import { type Ctx, ctxOf, type Deps, type SessionUser } from '../context';
import { userForPhone } from './auth';
import { createDemoCampaigns } from './campaigns';
import { createListing } from './catalog';
import { applyMerchant, approveMerchant } from './merchants';
import { confirmSale, recordSale } from './sales';
import { applySupplier, approveSupplier } from './suppliers';
import { createSupplierProduct } from './supply';
import { createTopup, creditPaidTopup } from './topups';

export interface DemoResult {
  loaded: boolean;
  accounts: string[];
}

/** The demo operator, used when OPERATOR_PHONES is unset on a demo start. */
export const demoOperatorPhone = '+8613900000000';

const demoMerchants = [
  {
    phone: '+8613800000101',
    name: '老街面馆 Old Street Noodles',
    category: '餐饮 Restaurant',
    address: '东莞市松山湖大道 18 号',
    topupFen: 50_000,
    products: [],
  },
  {
    phone: '+8613800000102',
    name: '鲜果时光 Fruit Time',
    category: '生鲜 Fresh fruit',
    address: '东莞市南城区鸿福路 66 号',
    topupFen: 20_000,
    products: [
      { title: '当季水果礼盒 Seasonal fruit box', priceFen: 12_800, stock: 30 },
      { title: '鲜榨橙汁 1L Fresh orange juice', priceFen: 1_990, stock: 80 },
    ],
  },
  {
    // Under the 100.00 low-balance alert: the back office shows the warning.
    phone: '+8613800000103',
    name: '小美便利店 Xiaomei Mart',
    category: '便利店 Convenience',
    address: '东莞市东城区星城路 8 号',
    topupFen: 5_000,
    products: [{ title: '矿泉水 24 瓶 Mineral water x24', priceFen: 3_600, stock: 50 }],
  },
] as const;

const demoSupplier = {
  phone: '+8613800000201',
  name: '山野农品供应链 Mountain Farm Supply',
  products: [
    { title: '高山绿茶 250g Alpine green tea', wholesalePrice: 8_000, stock: 50, retailFen: 10_000 },
    { title: '野生蜂蜜 500g Wild honey', wholesalePrice: 4_500, stock: 100, retailFen: 6_800 },
    { title: '五常大米 5kg Wuchang rice', wholesalePrice: 5_200, stock: 40, retailFen: 6_900 },
  ],
};

const demoConsumer = '+8613800000001';
const demoNewConsumer = '+8613800000002';
const demoApplicant = '+8613800000104';

const demoAccounts = [
  `${demoOperatorPhone}  operator (back office /biz/)`,
  `${demoMerchants[0].phone}  merchant 老街面馆 (500.00 ad points)`,
  `${demoMerchants[1].phone}  merchant 鲜果时光 (own products + supply-chain listings)`,
  `${demoMerchants[2].phone}  merchant 小美便利店 (low ad-point balance)`,
  `${demoSupplier.phone}  supplier 山野农品供应链`,
  `${demoApplicant}  applicant with a pending merchant application`,
  `${demoConsumer}  consumer with 100.00 vouchers (consumer app /)`,
  `${demoNewConsumer}  consumer with an empty wallet`,
];

/**
 * A small believable alliance on an empty database, built through the same services the API
 * uses (no shortcuts into the tables), so demo balances obey every rule a real one does.
 */
export async function loadDemoData(deps: Deps): Promise<DemoResult> {
  const existing = await deps.db.select({ id: schema.users.id }).from(schema.users).limit(1);
  if (existing.length > 0) return { loaded: false, accounts: demoAccounts };

  const base = ctxOf(deps);
  const as = (user: SessionUser): Ctx => ({ ...base, user });
  const operator = {
    ...(await userForPhone(base, demoOperatorPhone)),
    roles: ['consumer', 'operator'],
  } as SessionUser;

  const merchantIds: string[] = [];
  for (const m of demoMerchants) {
    const owner = await userForPhone(base, m.phone);
    const merchant = await applyMerchant(as(owner), {
      name: m.name,
      category: m.category,
      address: m.address,
    });
    await approveMerchant(as(operator), merchant.id);
    const topup = await createTopup(as(owner), merchant.id, { amount: m.topupFen });
    await creditPaidTopup(base, topup.id, {
      eventId: `demo:${topup.id}`,
      paymentIntentId: null,
      paymentMethod: 'card',
    });
    for (const p of m.products) await createListing(as(owner), merchant.id, p);
    merchantIds.push(merchant.id);
  }

  const supplierOwner = await userForPhone(base, demoSupplier.phone);
  const supplier = await applySupplier(as(supplierOwner), { name: demoSupplier.name });
  await approveSupplier(as(operator), supplier.id);
  const fruitTimeOwner = await userForPhone(base, demoMerchants[1].phone);
  for (const p of demoSupplier.products) {
    const product = await createSupplierProduct(as(supplierOwner), {
      supplierId: supplier.id,
      title: p.title,
      wholesalePrice: p.wholesalePrice,
      stock: p.stock,
    });
    await createListing(as(fruitTimeOwner), merchantIds[1]!, {
      supplierProductId: product.id,
      priceFen: p.retailFen,
    });
  }

  // A consumer who already bought a 100-yuan dinner: 100.00 vouchers, enough for the videos.
  const consumer = await userForPhone(base, demoConsumer);
  await userForPhone(base, demoNewConsumer);
  const memberCode = (await deps.db.select().from(schema.users)).find(
    (u) => u.id === consumer.id,
  )!.memberCode;
  const noodlesOwner = await userForPhone(base, demoMerchants[0].phone);
  const sale = await recordSale(as(noodlesOwner), {
    merchantId: merchantIds[0]!,
    memberCode,
    amountFen: 10_000,
  });
  await confirmSale(as(consumer), sale.id);

  // An application waiting for the operator.
  const applicant = await userForPhone(base, demoApplicant);
  await applyMerchant(as(applicant), { name: '阿强修车行 Aqiang Auto Repair', category: '汽修 Auto repair' });

  await createDemoCampaigns(base);

  return { loaded: true, accounts: demoAccounts };
}
