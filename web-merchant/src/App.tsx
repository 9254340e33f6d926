import { ConsentGate } from '@alliance/web-shared';
import { Route, Router, type RouteSectionProps, useNavigate } from '@solidjs/router';
import { createEffect, Show } from 'solid-js';
import { BASE } from './base';
import { MerchantArea } from './components/MerchantArea';
import { OperatorArea } from './components/OperatorArea';
import { NotFound, Shell, usePath } from './components/Shell';
import { SupplierArea } from './components/SupplierArea';
import { ConfirmHost, ErrorNote } from './components/ui';
import { i18n, t } from './i18n';
import { ApplyPage } from './pages/Apply';
import { Dashboard } from './pages/merchant/Dashboard';
import { EcoPoints } from './pages/merchant/EcoPoints';
import { Orders } from './pages/merchant/Orders';
import { MerchantPayouts } from './pages/merchant/Payouts';
import { PointsHistory } from './pages/merchant/PointsHistory';
import { Products } from './pages/merchant/Products';
import { Sales } from './pages/merchant/Sales';
import { Staff } from './pages/merchant/Staff';
import { StatementPage } from './pages/merchant/Statement';
import { Supply } from './pages/merchant/Supply';
import { Topups } from './pages/merchant/Topups';
import { Adjustments } from './pages/operator/Adjustments';
import { Applications } from './pages/operator/Applications';
import { Campaigns } from './pages/operator/Campaigns';
import { LedgerVerify } from './pages/operator/LedgerVerify';
import { Organisations } from './pages/operator/Organisations';
import { Parameters } from './pages/operator/Parameters';
import { PlatformPayouts } from './pages/operator/Payouts';
import { Reconciliation } from './pages/operator/Reconciliation';
import { Refusals } from './pages/operator/Refusals';
import { StripeAnomalies } from './pages/operator/StripeAnomalies';
import { Withdrawals } from './pages/operator/Withdrawals';
import { SignInPage } from './pages/SignIn';
import { Catalog } from './pages/supplier/Catalog';
import { Payouts } from './pages/supplier/Payouts';
import { Shipped } from './pages/supplier/Shipped';
import { ToShip } from './pages/supplier/ToShip';
import { auth, client, me } from './session';

/**
 * The back office's routes under /biz/ (api/node.ts answers index.html for every path below it,
 * so deep links and reloads work). An unknown page inside a workspace shows its first page.
 */
export function App() {
  return (
    <Router base={BASE} root={Root}>
      <Route path="/" component={Home} />
      <Route path="/apply" component={ApplyPage} />
      <Route path="/merchants/:id" component={MerchantArea}>
        <Route path="/topups/:topupId?" component={Topups} />
        <Route path="/points" component={PointsHistory} />
        <Route path="/eco-points" component={EcoPoints} />
        <Route path="/staff" component={Staff} />
        <Route path="/sales" component={Sales} />
        <Route path="/products" component={Products} />
        <Route path="/supply" component={Supply} />
        <Route path="/orders" component={Orders} />
        <Route path="/statement" component={StatementPage} />
        <Route path="/payouts" component={MerchantPayouts} />
        <Route path="/*" component={Dashboard} />
      </Route>
      <Route path="/suppliers/:id" component={SupplierArea}>
        <Route path="/to-ship" component={ToShip} />
        <Route path="/shipped" component={Shipped} />
        <Route path="/payouts" component={Payouts} />
        <Route path="/*" component={Catalog} />
      </Route>
      <Route path="/platform" component={OperatorArea}>
        <Route path="/applications" component={Applications} />
        <Route path="/organisations" component={Organisations} />
        <Route path="/parameters" component={Parameters} />
        <Route path="/adjustments" component={Adjustments} />
        <Route path="/campaigns" component={Campaigns} />
        <Route path="/refusals" component={Refusals} />
        <Route path="/ledger" component={LedgerVerify} />
        <Route path="/stripe" component={StripeAnomalies} />
        <Route path="/payouts" component={PlatformPayouts} />
        <Route path="/withdrawals" component={Withdrawals} />
        <Route path="/*" component={Reconciliation} />
      </Route>
      <Route path="/*" component={NotFound} />
    </Router>
  );
}

/** Signed out: every path shows the sign-in page; afterwards the same path opens. */
function Root(props: RouteSectionProps) {
  return (
    <Show when={auth.signedIn()} fallback={<SignInPage />}>
      <ConsentGate api={client} i18n={i18n} onDecline={auth.signOut}>
        <Show when={me()} fallback={<Booting />}>
          <Shell>{props.children}</Shell>
          <ConfirmHost />
        </Show>
      </ConsentGate>
    </Show>
  );
}

function Booting() {
  return (
    <div class="boot">
      <Show when={me.error} fallback={<div class="spinner" role="status" aria-label={t('common.loading')} />}>
        <div class="boot-card">
          <ErrorNote error={me.error} />
          <button type="button" class="btn btn-outline" onClick={() => auth.signOut()}>
            {t('common.signOut')}
          </button>
        </div>
      </Show>
    </div>
  );
}

/** '/' goes to the caller's first workspace: platform, merchant, supplier, else the application page. */
function Home() {
  const path = usePath();
  const navigate = useNavigate();
  createEffect(() => {
    const m = me();
    if (!m || path() !== '/') return;
    if (m.user.roles.includes('operator')) navigate('/platform', { replace: true });
    else if (m.merchants[0]) navigate(`/merchants/${m.merchants[0].id}`, { replace: true });
    else if (m.suppliers[0]) navigate(`/suppliers/${m.suppliers[0].id}`, { replace: true });
    else navigate('/apply', { replace: true });
  });
  return null;
}
