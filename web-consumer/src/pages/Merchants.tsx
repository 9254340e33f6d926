import { rows } from '@alliance/web-shared';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { Header, Loaded } from '../components';
import { t } from '../i18n';
import { merchantDirectory } from '../session';

export function Merchants() {
  const [merchants, { refetch }] = createResource(merchantDirectory);
  const [search, setSearch] = createSignal('');
  const shown = createMemo(() => {
    const q = search().trim().toLowerCase();
    return rows(merchants()).filter((m) => !q || m.name.toLowerCase().includes(q));
  });

  return (
    <>
      <Header title={t('merchants.title')} />
      <main class="page">
        <input
          class="input search"
          type="search"
          placeholder={t('merchants.search')}
          value={search()}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <Loaded resource={merchants} retry={refetch}>
          {() => (
            <Show when={shown().length > 0} fallback={<div class="empty">{t('common.empty')}</div>}>
              <div class="merchant-list">
                <For each={shown()}>
                  {(m) => (
                    <a href={`/shop/${m.id}`} class="card merchant" data-testid="merchant">
                      <div class="merchant-avatar" aria-hidden="true">
                        {m.name.slice(0, 1)}
                      </div>
                      <div class="grow">
                        <div class="strong">{m.name}</div>
                        <Show when={m.category || m.address}>
                          <div class="muted ellipsis">{m.category ?? m.address}</div>
                        </Show>
                        <div class="row" style={{ 'margin-top': '6px' }}>
                          <span
                            class={`badge ${m.vouchersActive ? 'badge-brand' : 'badge-warn'}`}
                            data-testid="vouchers-status"
                          >
                            {m.vouchersActive ? t('merchants.active') : t('merchants.paused')}
                          </span>
                        </div>
                      </div>
                      <span class="chevron" aria-hidden="true">
                        ›
                      </span>
                    </a>
                  )}
                </For>
              </div>
            </Show>
          )}
        </Loaded>
      </main>
    </>
  );
}
