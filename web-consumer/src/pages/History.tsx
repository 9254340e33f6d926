import { formatPoints, qs } from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { Header, Loaded } from '../components';
import { i18n, type Key, t } from '../i18n';
import { navigate, query } from '../router';
import { api, type Page, rows } from '../session';

interface Entry {
  transferId?: number | string;
  id?: string;
  kind: string;
  amount: number;
  balanceAfter?: number;
  createdAt: string;
}

type Unit = 'vouchers' | 'eco_points';

export function History() {
  const unit = (): Unit => (query('unit') === 'eco_points' ? 'eco_points' : 'vouchers');
  const [extra, setExtra] = createSignal<Entry[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [history, { refetch }] = createResource(unit, async (u) => {
    const page = await api.get<Page<Entry>>(`/v1/wallet/history${qs({ unit: u })}`);
    setExtra([]);
    setCursor(page.nextCursor ?? null);
    return page;
  });

  const more = async () => {
    const page = await api.get<Page<Entry>>(`/v1/wallet/history${qs({ unit: unit(), cursor: cursor() })}`);
    setExtra([...extra(), ...page.data]);
    setCursor(page.nextCursor ?? null);
  };

  const kindText = (kind: string) => (i18n.has(`kind.${kind}`) ? t(`kind.${kind}` as Key) : t('kind.other'));

  return (
    <>
      <Header title={t('history.title')} back="/me" />
      <main class="page">
        <div class="segmented">
          <For each={['vouchers', 'eco_points'] as Unit[]}>
            {(u) => (
              <button
                type="button"
                classList={{ active: unit() === u }}
                onClick={() => navigate(`/history?unit=${u}`, { replace: true })}
              >
                {t(`history.${u}`)}
              </button>
            )}
          </For>
        </div>
        <Loaded resource={history} retry={refetch}>
          {(page) => (
            <section class="card">
              <Show when={rows(page).length > 0} fallback={<div class="empty">{t('common.empty')}</div>}>
                <ul class="list">
                  <For each={[...rows(page), ...extra()]}>
                    {(e) => (
                      <li data-testid="history-entry">
                        <div class="grow">
                          <div>{kindText(e.kind)}</div>
                          <div class="muted">{i18n.dateTime(e.createdAt)}</div>
                        </div>
                        <div class="right">
                          <div class={`num strong ${e.amount > 0 ? 'plus' : 'minus'}`}>
                            {formatPoints(e.amount, { sign: true })}
                          </div>
                          <Show when={e.balanceAfter !== undefined}>
                            <div class="muted num">
                              {t('history.balance', { n: formatPoints(e.balanceAfter!) })}
                            </div>
                          </Show>
                        </div>
                      </li>
                    )}
                  </For>
                </ul>
                <Show when={cursor()}>
                  <button type="button" class="btn btn-ghost btn-block" onClick={more}>
                    {t('common.more')}
                  </button>
                </Show>
              </Show>
            </section>
          )}
        </Loaded>
      </main>
    </>
  );
}
