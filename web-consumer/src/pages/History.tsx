import { type ApiData, formatPoints, nextCursor, type Row, rows } from '@alliance/web-shared';
import { useNavigate, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { Header, Loaded } from '../components';
import { i18n, type Key, t } from '../i18n';
import { api } from '../session';

type Entry = Row<ApiData<'get', '/v1/wallet/history'>>;
type Unit = 'vouchers' | 'eco_points';

const historyPage = (unit: Unit, cursor?: string) =>
  api.get('/v1/wallet/history', { params: { query: { unit, cursor } } });

export function History() {
  const [search] = useSearchParams<{ unit?: string }>();
  const navigate = useNavigate();
  const unit = (): Unit => (search.unit === 'eco_points' ? 'eco_points' : 'vouchers');
  const [extra, setExtra] = createSignal<Entry[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [history, { refetch }] = createResource(unit, async (u) => {
    const page = await historyPage(u);
    setExtra([]);
    setCursor(nextCursor(page));
    return page;
  });

  const more = async () => {
    const page = await historyPage(unit(), cursor() ?? undefined);
    setExtra([...extra(), ...rows(page)]);
    setCursor(nextCursor(page));
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
