import { rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { items, shipTo } from '../../components/fulfillment';
import { useSupplier } from '../../components/SupplierArea';
import {
  Alert,
  Card,
  ErrorNote,
  Loaded,
  PageHeader,
  reasonDialog,
  Table,
  useAction,
} from '../../components/ui';
import { t } from '../../i18n';
import { orderRef } from '../merchant/Orders';

export function ToShip() {
  const { id } = useSupplier();
  const [queue, { refetch }] = createResource(
    () => id,
    (id) => api.fulfillments(id, 'to_ship'),
  );
  const [open, setOpen] = createSignal<string | null>(null);
  const openOrder = () => orderRef(rows(queue()).find((f) => f.id === open())?.orderId ?? '');
  const [carrier, setCarrier] = createSignal('');
  const [tracking, setTracking] = createSignal('');
  const [done, setDone] = createSignal<string | null>(null);
  const ship = useAction(async (e: Event) => {
    e.preventDefault();
    const fid = open()!;
    await api.ship(fid, carrier().trim(), tracking().trim());
    setDone(fid);
    setOpen(null);
    setCarrier('');
    setTracking('');
    refetch();
  });
  const cancel = useAction(async (fid: string) => {
    const reason = await reasonDialog({
      title: t('fulfil.cancelTitle'),
      body: t('fulfil.cancelBody'),
      input: t('col.reason'),
      confirm: t('fulfil.cancel'),
    });
    if (reason === null) return;
    await api.cancelFulfillment(fid, reason);
    refetch();
  });
  return (
    <div class="page">
      <ErrorNote error={cancel.error()} />
      <PageHeader title={t('supplier.toShipTitle')} subtitle={t('supplier.toShipSubtitle')} />
      <Show when={done()}>
        <Alert tone="ok" testId="shipped-ok">
          {t('supplier.shippedOk')}
        </Alert>
      </Show>
      <Show when={open()}>
        <Card title={t('supplier.shipTitle', { order: openOrder() })}>
          <form class="inline-form" onSubmit={(e) => ship.run(e)}>
            <input
              class="input"
              name="carrier"
              placeholder={t('supplier.carrier')}
              value={carrier()}
              onInput={(e) => setCarrier(e.currentTarget.value)}
              list="carriers"
            />
            <datalist id="carriers">
              <option value="顺丰速运" />
              <option value="中通快递" />
              <option value="圆通速递" />
              <option value="京东物流" />
              <option value="EMS" />
            </datalist>
            <input
              class="input grow"
              name="trackingNumber"
              placeholder={t('supplier.tracking')}
              value={tracking()}
              onInput={(e) => setTracking(e.currentTarget.value)}
            />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="confirm-ship"
              disabled={ship.busy() || !carrier().trim() || !tracking().trim()}
            >
              {t('supplier.confirmShip')}
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setOpen(null)}>
              {t('common.cancel')}
            </button>
          </form>
          <ErrorNote error={ship.error()} />
        </Card>
      </Show>
      <Card>
        <Loaded resource={queue}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="to-ship"
              empty={t('supplier.nothingToShip')}
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{orderRef(r.orderId)}</span> },
                { label: t('col.items'), render: items },
                { label: t('col.shipTo'), render: shipTo },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <button
                      type="button"
                      class="btn btn-primary btn-small"
                      data-testid={`ship-${r.id}`}
                      onClick={() => {
                        setDone(null);
                        setOpen(r.id);
                      }}
                    >
                      {t('supplier.ship')}
                    </button>
                  ),
                },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <button
                      type="button"
                      class="btn btn-ghost btn-small"
                      data-testid={`cancel-${r.id}`}
                      disabled={cancel.busy()}
                      onClick={() => cancel.run(r.id)}
                    >
                      {t('fulfil.cancel')}
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
