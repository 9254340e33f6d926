import { ConsentGate, LangSwitch, SignIn } from '@alliance/web-shared';
import { Route, Router, type RouteSectionProps, useLocation } from '@solidjs/router';
import { Show } from 'solid-js';
import { TabBar } from './components';
import { i18n, t } from './i18n';
import { CartPage } from './pages/Cart';
import { EcoPointsPage } from './pages/EcoPoints';
import { History } from './pages/History';
import { Home } from './pages/Home';
import { Me } from './pages/Me';
import { Merchants } from './pages/Merchants';
import { OrderDetail } from './pages/OrderDetail';
import { Orders } from './pages/Orders';
import { Player } from './pages/Player';
import { Shop } from './pages/Shop';
import { Tasks } from './pages/Tasks';
import { accountDeleted, setAccountDeleted } from './privacy';
import { auth, api as client } from './session';

/**
 * The consumer app's routes at / (api/node.ts answers index.html for every path, so deep links
 * and reloads work). Signed out, every path shows the sign-in page; an unknown path shows home.
 */
export function App() {
  return (
    <Router root={Root}>
      <Route path="/merchants" component={Merchants} />
      <Route path="/shop/:id" component={(p: RouteSectionProps) => <Shop merchantId={p.params.id!} />} />
      <Route path="/cart" component={CartPage} />
      <Route path="/tasks" component={Tasks} />
      <Route path="/watch/:id" component={Watch} />
      <Route path="/orders" component={Orders} />
      <Route
        path="/orders/:id"
        component={(p: RouteSectionProps) => <OrderDetail orderId={p.params.id!} />}
      />
      <Route path="/history" component={History} />
      <Route path="/eco-points" component={EcoPointsPage} />
      <Route path="/me" component={Me} />
      <Route path="/*" component={Home} />
    </Router>
  );
}

function Root(props: RouteSectionProps) {
  const location = useLocation();
  const watching = () => location.pathname.startsWith('/watch/');
  return (
    <Show when={auth.signedIn()} fallback={<SignInPage />}>
      <ConsentGate api={client} i18n={i18n} onDecline={auth.signOut}>
        <div class="app" classList={{ 'no-tabbar': watching() }}>
          {props.children}
          <Show when={!watching()}>
            <TabBar />
          </Show>
        </div>
      </ConsentGate>
    </Show>
  );
}

/** Keyed: "next video" goes from one /watch/:id to another and needs a fresh player. */
function Watch(props: RouteSectionProps) {
  return (
    <Show when={props.params.id} keyed>
      {(id) => <Player viewId={id} />}
    </Show>
  );
}

function SignInPage() {
  return (
    <div class="signin-page">
      <div class="signin-hero">
        <div class="signin-top">
          <LangSwitch i18n={i18n} />
        </div>
        <div class="logo" aria-hidden="true">
          联
        </div>
        <h1>{t('signin.welcome')}</h1>
        <p>{t('signin.subtitle')}</p>
      </div>
      <div class="card signin-card">
        <Show when={accountDeleted()}>
          <p class="notice notice-ok" data-testid="account-deleted">
            {t('mydata.deleted')}
          </p>
        </Show>
        <SignIn
          api={client}
          i18n={i18n}
          onSignedIn={(token, user) => {
            setAccountDeleted(false);
            auth.signIn(token, user);
          }}
        />
      </div>
      <p class="hint center">{t('app.tagline')}</p>
    </div>
  );
}
