import { type RouteSectionProps, useLocation, useParams } from '@solidjs/router';
import { createContext, createEffect, createResource, on, onCleanup, Show, useContext } from 'solid-js';
import { api } from '../api';
import { Badge, Loaded, PageHeader } from '../components/ui';
import { t } from '../i18n';
import { me, refetchMe } from '../session';
import { SuspendedBanner } from './SuspendedBanner';

/** The supplier's id, for the pages of /suppliers/:id. */
const Ctx = createContext<{ id: string }>();
export const useSupplier = () => useContext(Ctx)!;

/**
 * The layout route of /suppliers/:id: catalog, the to-ship queue, shipped parcels, payables and
 * payouts. Keyed by id, like the merchant area, so switching workspace remounts the page.
 */
export function SupplierArea(props: RouteSectionProps) {
  const params = useParams<{ id: string }>();
  const location = useLocation();
  // A suspension or reinstatement happens behind the page: re-read the status on every page change,
  // as the merchant area does, so the banner follows without a reload.
  createEffect(
    on(
      () => location.pathname,
      () => refetchMe(),
      { defer: true },
    ),
  );
  return (
    <Show when={params.id} keyed>
      {(id) => {
        const membership = () => me()?.suppliers.find((s) => s.id === id);
        return (
          <Show
            when={membership()?.status !== 'pending' && membership()?.status !== 'rejected'}
            fallback={<SupplierStatus id={id} />}
          >
            <Ctx.Provider value={{ id }}>
              <Show when={membership()?.status === 'suspended'}>
                <SupplierSuspended id={id} />
              </Show>
              {props.children}
            </Ctx.Provider>
          </Show>
        );
      }}
    </Show>
  );
}

/** The banner of a suspended supplier, with the reason read from the supplier itself. */
function SupplierSuspended(props: { id: string }) {
  const [supplier] = createResource(() => props.id, api.supplier);
  return <SuspendedBanner kind="supplier" reason={supplier()?.suspensionReason ?? null} />;
}

function SupplierStatus(props: { id: string }) {
  const [supplier, { refetch }] = createResource(() => props.id, api.supplier);
  // While pending, look again now and then; once approved, /v1/me moves the workspace on.
  const timer = setInterval(() => {
    if (supplier()?.status === 'pending') refetch();
  }, 5000);
  onCleanup(() => clearInterval(timer));
  createEffect(() => {
    if (supplier()?.status === 'active') refetchMe();
  });
  return (
    <div class="page">
      <Loaded resource={supplier}>
        {(s) => (
          <>
            <PageHeader title={s.name} subtitle={t('supplier.applicationTitle')} />
            <div class="card status-card" data-testid="application-status">
              <div class={`status-icon status-${s.status}`}>{s.status === 'rejected' ? '!' : '…'}</div>
              <div>
                <h2>
                  <Badge status={s.status} />{' '}
                  {s.status === 'rejected' ? t('merchant.rejectedTitle') : t('merchant.pendingTitle')}
                </h2>
                <Show
                  when={s.status === 'rejected'}
                  fallback={<p class="muted">{t('merchant.pendingBody')}</p>}
                >
                  <p>
                    {t('merchant.rejectedReason')}
                    <strong data-testid="rejection-reason">{s.rejectionReason ?? '—'}</strong>
                  </p>
                  <p class="muted">{t('supplier.rejectedBody')}</p>
                </Show>
              </div>
            </div>
          </>
        )}
      </Loaded>
    </div>
  );
}
