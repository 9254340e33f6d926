import { formatFen, formatMinor, formatPoints, rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../../api';
import { useMerchant } from '../../components/MerchantArea';
import { SalesTable } from '../../components/SalesTable';
import { Card, Link, Loaded, PageHeader, Stat } from '../../components/ui';
import { t } from '../../i18n';
import { lastDays } from '../operator/Campaigns';

const dayOf = (iso: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(iso));
const percentFromBp = (bp: number) => `${formatMinor(bp)}%`;

export function Dashboard() {
  const { id, merchant } = useMerchant();
  const [sales] = createResource(() => id, api.sales);
  // Today (the business day, Beijing time): the statement's exact sums, and today's rows for counts.
  const today = lastDays(1)[0]!;
  const [statement] = createResource(
    () => id,
    (mid) => api.statement(mid, today, today),
  );
  const [orders] = createResource(() => id, api.merchantOrders);
  const isToday = (iso: string | null | undefined) => !!iso && lastDays(1)[0] === dayOf(iso);
  const todaySales = () => rows(sales()).filter((s) => s.status === 'completed' && isToday(s.decidedAt));
  const takings = () => todaySales().reduce((sum, s) => sum + s.amount, 0);
  const ordersToday = () => rows(orders()).filter((o) => isToday(o.paidAt)).length;
  const m = () => merchant()!;
  return (
    <div class="page">
      <PageHeader
        title={t('merchant.dashboardTitle', { name: m().name })}
        subtitle={t('merchant.dashboardSubtitle')}
        actions={
          <>
            <Link to={`/merchants/${id}/sales`} class="btn btn-outline">
              {t('merchant.recordSale')}
            </Link>
            <Link to={`/merchants/${id}/topups`} class="btn btn-primary">
              {t('merchant.topUp')}
            </Link>
          </>
        }
      />
      <div class="stats" data-testid="today">
        <Stat
          label={t('merchant.todayTakings')}
          value={formatFen(takings())}
          testId="today-takings"
          hint={t('merchant.todayTakingsHint', { n: todaySales().length })}
        />
        <Stat label={t('merchant.todayOrders')} value={String(ordersToday())} testId="today-orders" />
        <Stat
          label={t('merchant.todayVoucherCost')}
          value={statement() ? formatPoints(statement()!.adPointsCharged) : '—'}
          testId="today-voucher-cost"
          hint={t('merchant.todayVoucherCostHint')}
        />
      </div>
      <div class="stats">
        <Stat
          label={t('merchant.adPoints')}
          value={formatPoints(m().adPoints)}
          testId="ad-points"
          tone={m().lowBalance ? 'amber' : 'red'}
          hint={t('merchant.adPointsHint')}
        />
        <Stat
          label={t('merchant.adRate')}
          value={percentFromBp(m().adRateBp)}
          hint={t('merchant.adRateHint')}
        />
        <Stat
          label={t('merchant.vouchers')}
          value={m().vouchersActive ? t('merchant.vouchersOn') : t('merchant.vouchersPaused')}
          tone={m().vouchersActive ? 'green' : 'amber'}
          testId="vouchers-active"
          hint={m().vouchersActive ? t('merchant.vouchersOnHint') : t('merchant.vouchersPausedHint')}
        />
      </div>
      <Card
        title={t('merchant.recentSales')}
        extra={
          <Link to={`/merchants/${id}/sales`} class="card-link">
            {t('common.viewAll')}
          </Link>
        }
      >
        <Loaded resource={sales}>{(page) => <SalesTable rows={rows(page).slice(0, 6)} />}</Loaded>
      </Card>
    </div>
  );
}
