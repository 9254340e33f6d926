import { formatPoints, LOCALES, maskPhone } from '@alliance/web-shared';
import { createResource, For, Show } from 'solid-js';
import { Header, Loaded } from '../components';
import { i18n, type Key, t } from '../i18n';
import { MyData } from '../privacy';
import { api, auth } from '../session';

export function Me() {
  const [me, { refetch }] = createResource(() => api.get('/v1/me'));
  const roleText = (r: string) => (i18n.has(`role.${r}`) ? t(`role.${r}` as Key) : t('role.other'));
  return (
    <>
      <Header title={t('me.title')} />
      <main class="page">
        <Loaded resource={me} retry={refetch}>
          {(m) => (
            <>
              <section class="card profile">
                <div class="merchant-avatar big">{m.user.phone.slice(-2)}</div>
                <div class="grow">
                  <div class="strong" data-testid="me-phone">
                    {maskPhone(m.user.phone)}
                  </div>
                  <div class="row">
                    <For each={m.user.roles}>
                      {(r) => <span class="badge badge-brand">{roleText(r)}</span>}
                    </For>
                  </div>
                </div>
              </section>
              <section class="card">
                <ul class="list">
                  <li>
                    <a class="grow spread" href="/history?unit=vouchers">
                      <span>{t('home.vouchers')}</span>
                      <span class="num">{formatPoints(m.wallet.vouchers)} ›</span>
                    </a>
                  </li>
                  <li>
                    <a class="grow spread" href="/history?unit=eco_points">
                      <span>{t('home.ecoPoints')}</span>
                      <span class="num">{formatPoints(m.wallet.ecoPoints)} ›</span>
                    </a>
                  </li>
                  <li>
                    <span class="grow">{t('me.language')}</span>
                    <div class="segmented small">
                      <For each={LOCALES}>
                        {(l) => (
                          <button
                            type="button"
                            classList={{ active: i18n.locale() === l }}
                            onClick={() => i18n.setLocale(l)}
                          >
                            {l === 'zh-CN' ? '中文' : 'English'}
                          </button>
                        )}
                      </For>
                    </div>
                  </li>
                </ul>
              </section>
              <Show
                when={m.merchants.length > 0 || m.suppliers.length > 0 || m.user.roles.includes('operator')}
              >
                <section class="card">
                  <p class="hint">{t('me.backOfficeHint')}</p>
                  <a class="btn btn-outline btn-block" href="/biz/" rel="external">
                    {t('me.backOffice')}
                  </a>
                </section>
              </Show>
            </>
          )}
        </Loaded>
        <MyData />
        <button
          type="button"
          class="btn btn-ghost btn-block signout"
          data-testid="sign-out"
          onClick={auth.signOut}
        >
          {t('common.signOut')}
        </button>
      </main>
    </>
  );
}
