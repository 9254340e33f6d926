import { useNavigate } from '@solidjs/router';
import { createResource, createSignal, Index, Show } from 'solid-js';
import { Header, Loaded, ProgressBar } from '../components';
import { t } from '../i18n';
import { api } from '../session';
import { savedView, startNextView } from '../views';

export function Tasks() {
  const [wallet, { refetch }] = createResource(() => api.get('/v1/wallet'));
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const inProgress = savedView();
  const navigate = useNavigate();

  const start = async () => {
    setBusy(true);
    setError(await startNextView(navigate));
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
                  <p class="hint">{t('tasks.rule', { n: today().required })}</p>
                  <Show when={error()}>
                    <p class="notice notice-danger" role="alert" data-testid="task-error">
                      {error()}
                    </p>
                  </Show>
                  <Show
                    when={today().completed < today().required}
                    fallback={<p class="notice notice-ok">{t('tasks.allDone', { n: today().required })}</p>}
                  >
                    <button
                      type="button"
                      class="btn btn-primary btn-block"
                      data-testid="start-video"
                      disabled={busy()}
                      onClick={start}
                    >
                      {busy() ? t('tasks.starting') : t('tasks.next')}
                    </button>
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
