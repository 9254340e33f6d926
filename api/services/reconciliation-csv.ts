/**
 * The report as a spreadsheet for people (API.md: one row per merchant and supplier). In their
 * words: Chinese headers by default, names instead of ids, yuan and points with two decimals, the
 * time in the business zone. UTF-8 with a BOM so that Excel reads the Chinese; every cell that a
 * spreadsheet would take for a formula is made text.
 */
import type { Ctx } from '../context';
import { formatBusinessDateTime } from './business-day';
import { parametersAt } from './parameters';
import { getReconciliation } from './reconciliation';
import { formatHundredths } from './rounding';

export type CsvLanguage = 'zh-CN' | 'en';

const words = {
  'zh-CN': {
    headers: [
      '类型',
      '名称',
      '营业日',
      '销售额（元）',
      '其中门店（元）',
      '其中线上（元）',
      '发放广告券',
      '扣除广告积分',
      '按费率应扣广告积分',
      '充值（元）',
      '日终广告积分',
      '日终生态积分',
      '结算给供应商（元）',
      '已付款（元）',
      '日终应付（元）',
      '报告生成时间',
    ],
    merchant: '商户',
    supplier: '供应商',
  },
  en: {
    headers: [
      'Type',
      'Name',
      'Business day',
      'Sales (yuan)',
      'In store (yuan)',
      'Online (yuan)',
      'Vouchers issued',
      'Ad points charged',
      'Ad points due at the rate',
      'Top-ups (yuan)',
      'Ad points at day end',
      'Eco-points at day end',
      'Settled to supplier (yuan)',
      'Paid out (yuan)',
      'Payable at day end (yuan)',
      'Generated at',
    ],
    merchant: 'Merchant',
    supplier: 'Supplier',
  },
} as const;

/** A spreadsheet would run a cell starting with one of these as a formula (CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const guarded = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

export async function reconciliationCsv(ctx: Ctx, date: string, language: CsvLanguage): Promise<string> {
  const report = await getReconciliation(ctx, date);
  const { businessTimeZone } = await parametersAt(ctx);
  const w = words[language];
  const generated = formatBusinessDateTime(new Date(report.generatedAt), businessTimeZone);
  const two = formatHundredths;
  const rows: string[][] = [
    [...w.headers],
    ...report.merchants.map((m) => [
      w.merchant,
      m.name,
      report.businessDate,
      two(m.sales),
      two(m.inStoreSales),
      two(m.onlineSales),
      two(m.vouchersIssued),
      two(m.adPointsCharged),
      two(m.expectedAdPointsCharged),
      two(m.topups),
      two(m.adPoints),
      two(m.ecoPoints),
      '',
      '',
      '',
      generated,
    ]),
    ...report.suppliers.map((s) => [
      w.supplier,
      s.name,
      report.businessDate,
      ...Array<string>(9).fill(''),
      two(s.settled),
      two(s.paidOut),
      two(s.payable),
      generated,
    ]),
  ];
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
