import { LangSwitch, SignIn } from '@alliance/web-shared';
import { Match, Show, Switch } from 'solid-js';
import { TabBar } from './components';
import { i18n, t } from './i18n';
import { CartPage } from './pages/Cart';
import { History } from './pages/History';
import { Home } from './pages/Home';
import { Me } from './pages/Me';
import { Merchants } from './pages/Merchants';
import { OrderDetail, Orders } from './pages/Orders';
import { Player } from './pages/Player';
import { Shop } from './pages/Shop';
import { Tasks } from './pages/Tasks';
import { match, path } from './router';
import { auth, api as client } from './session';

export function App() {
  return (
    <Show when={auth.signedIn()} fallback={<SignInPage />}>
      <div class="app" classList={{ 'no-tabbar': path().startsWith('/watch/') }}>
        <Switch fallback={<Home />}>
          <Match when={path() === '/merchants'}>
            <Merchants />
          </Match>
          <Match when={match('/shop/:id')}>{(p) => <Shop merchantId={p().id!} />}</Match>
          <Match when={path() === '/cart'}>
            <CartPage />
          </Match>
          <Match when={path() === '/tasks'}>
            <Tasks />
          </Match>
          {/* Keyed: "next video" goes from one /watch/:id to another and needs a fresh player. */}
          <Match when={match('/watch/:id')?.id} keyed>
            {(id) => <Player viewId={id} />}
          </Match>
          <Match when={path() === '/orders'}>
            <Orders />
          </Match>
          <Match when={match('/orders/:id')}>{(p) => <OrderDetail orderId={p().id!} />}</Match>
          <Match when={path() === '/history'}>
            <History />
          </Match>
          <Match when={path() === '/me'}>
            <Me />
          </Match>
        </Switch>
        <Show when={!path().startsWith('/watch/')}>
          <TabBar />
        </Show>
      </div>
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
        <SignIn api={client} i18n={i18n} onSignedIn={auth.signIn} />
      </div>
      <p class="hint center">{t('app.tagline')}</p>
    </div>
  );
}
