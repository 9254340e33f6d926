import { ApiFailure, formatPoints } from '@alliance/web-shared';
import { useNavigate } from '@solidjs/router';
import { createResource, createSignal, Index, Show } from 'solid-js';
import { Header, Loaded, ProgressBar } from '../components';
import { i18n, t } from '../i18n';
import { api } from '../session';
import { savedView, startNextView } from '../views';

export function Tasks() {
  const [wallet, { refetch }] = createResource(() => api.get('/v1/wallet'));
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const inProgress = savedView();
  const navigate = useNavigate();

  const [doneForToday, setDoneForToday] = createSignal(false);
  const start = async () => {
    setBusy(true);
    const refusal = await startNextView(navigate);
    // The day's limit reached elsewhere (another tab): a calm "done", not an error.
    if (refusal instanceof ApiFailure && refusal.code === 'daily_limit_reached') setDoneForToday(true);
    else setError(refusal ? i18n.errorText(refusal) : null);
    setBusy(false);
  };

  return (
    <>
      <Header title={t('tasks.title')} />
      <main class="page">
        <Loaded resource={wallet} retry={refetch}>
          {(w) => {
            const today = () => w.today;
            const slots = () => Array.from({ length: today().required }, (_, i) => i + 1);
            const slotProgress = (n: number) => {
              if (n <= today().completed) return 100;
              if (inProgress && inProgress.slot === n) {
                return Math.floor(
                  ((inProgress.position ?? 0) * 100) / Math.max(1, inProgress.campaign.durationSeconds),
                );
              }
              return 0;
            };
            return (
              <>
                <section class="card task-hero">
                  <div class="spread">
                    <span class="strong">{t('tasks.day')}</span>
                    <span class="num big-count" data-testid="tasks-day">
                      {today().completed}/{today().required}
                    </span>
                  </div>
                  <ProgressBar value={today().completed} max={today().required} testid="day-progress" />
                  <p class="notice notice-ok quote" data-testid="reward">
                    {t('tasks.reward', {
                      n: today().required,
                      vouchers: formatPoints(today().conversionVouchers),
                      eco: formatPoints(today().conversionEcoPoints),
                    })}
                  </p>
                  <Show when={error()}>
                    <p class="notice notice-danger" role="alert" data-testid="task-error">
                      {error()}
                    </p>
                  </Show>
                  <Show
                    when={today().completed < today().required && !doneForToday()}
                    fallback={
                      <p class="notice notice-ok" data-testid="all-done">
                        {t('tasks.allDone', { n: today().required })}
                      </p>
                    }
                  >
                    <Show
                      when={!inProgress}
                      fallback={
                        <button
                          type="button"
                          class="btn btn-primary btn-block"
                          data-testid="continue-video"
                          onClick={() => navigate(`/watch/${inProgress!.id}`)}
                        >
                          {t('tasks.continue', { n: inProgress!.slot })}
                        </button>
                      }
                    >
                      <Show when={w.vouchers < today().conversionVouchers}>
                        <p class="notice" data-testid="no-vouchers">
                          {t('tasks.needVouchers', { vouchers: formatPoints(today().conversionVouchers) })}
                        </p>
                      </Show>
                      <button
                        type="button"
                        class="btn btn-primary btn-block"
                        data-testid="start-video"
                        disabled={busy() || w.vouchers < today().conversionVouchers}
                        onClick={start}
                      >
                        {busy() ? t('tasks.starting') : t('tasks.next')}
                      </button>
                    </Show>
                  </Show>
                </section>
                <section class="card">
                  <ul class="list">
                    <Index each={slots()}>
                      {(n) => (
                        <li data-testid="task-slot">
                          <span class={`slot-dot ${slotProgress(n()) === 100 ? 'done' : ''}`}>{n()}</span>
                          <div class="grow">
                            <div class="spread">
                              <span>{t('tasks.slot', { n: n() })}</span>
                              <span class={`badge ${slotProgress(n()) === 100 ? 'badge-ok' : ''}`}>
                                {slotProgress(n()) === 100 ? t('tasks.done') : t('tasks.todo')}
                              </span>
                            </div>
                            <ProgressBar value={slotProgress(n())} max={100} />
                          </div>
                        </li>
                      )}
                    </Index>
                  </ul>
                  <p class="hint">{t('home.resets')}</p>
                </section>
              </>
            );
          }}
        </Loaded>
      </main>
    </>
  );
}
