import { type ApiData, ApiFailure, formatPoints } from '@alliance/web-shared';
import { useNavigate } from '@solidjs/router';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { Header, ProgressBar } from '../components';
import { i18n, t } from '../i18n';
import { api } from '../session';
import { type AdView, savedView, saveView, startNextView } from '../views';

/** Reports every 2 s: the server wants visible reports no more than a few seconds apart. */
const REPORT_EVERY_MS = 2000;
const COMPLETE_RETRIES = 8;

type Completion = ApiData<'post', '/v1/ad-views/{id}/complete'>;

export function Player(props: { viewId: string }) {
  const stored = savedView();
  const view: AdView | null = stored && stored.id === props.viewId ? stored : null;
  const navigate = useNavigate();
  const [position, setPosition] = createSignal(0);
  const [hiddenPaused, setHiddenPaused] = createSignal(false);
  const [playing, setPlaying] = createSignal(false);
  const [phase, setPhase] = createSignal<'watching' | 'completing' | 'done' | 'failed'>('watching');
  const [error, setError] = createSignal<string | null>(null);
  const [result, setResult] = createSignal<Completion | null>(null);
  const [nextError, setNextError] = createSignal<string | null>(null);

  let video!: HTMLVideoElement;
  // A reload or Back resumes the stored view where its last accepted report left it.
  let seq = view?.seq ?? 0;
  let resumed = seq > 0;
  // Reports go out one after another so their seq numbers arrive in order.
  let queue: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;

  const report = (visible: boolean) => {
    if (!view || phase() !== 'watching') return queue;
    const pos = Math.floor(video.currentTime);
    queue = queue.then(async () => {
      seq += 1;
      // Stored before sending: a report cut off by a reload may or may not have arrived.
      saveView({ ...view, position: pos, seq });
      const send = () =>
        api.post('/v1/ad-views/{id}/progress', {
          params: { path: { id: view.id } },
          body: { token: view.token, seq, position: pos, visible },
        });
      try {
        try {
          await send();
        } catch (err) {
          // First report after a resume: the last one stored never arrived, so the server wants it again.
          if (!(resumed && err instanceof ApiFailure && err.code === 'out_of_sequence')) throw err;
          seq -= 1;
          saveView({ ...view, position: pos, seq });
          await send();
        }
        resumed = false;
      } catch (err) {
        fail(err);
      }
    });
    return queue;
  };

  const fail = (err: unknown) => {
    setPhase('failed');
    setError(i18n.errorText(err));
    video?.pause();
    clearInterval(timer);
    saveView(null);
  };

  // Both `timeupdate` at the duration and `ended` call this: only the first may complete.
  let completeStarted = false;
  const complete = async () => {
    if (!view || completeStarted || phase() !== 'watching') return;
    completeStarted = true;
    await report(true);
    if (phase() !== 'watching') return;
    setPhase('completing');
    clearInterval(timer);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await api.post('/v1/ad-views/{id}/complete', {
          params: { path: { id: view.id } },
          body: { token: view.token },
        });
        saveView(null);
        setResult(res);
        setPhase('done');
        return;
      } catch (err) {
        // The server counts time from when the view started; a video that loaded fast can end a moment early.
        if (err instanceof ApiFailure && err.code === 'too_early' && attempt < COMPLETE_RETRIES) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        setPhase('watching');
        fail(err);
        return;
      }
    }
  };

  const onVisibility = () => {
    if (document.visibilityState === 'hidden' && phase() === 'watching' && !video.paused) {
      video.pause();
      setHiddenPaused(true);
      void report(false);
    }
  };

  // Leaving mid-video asks first; the view is kept, so coming back continues it.
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (phase() === 'watching' && playing()) e.preventDefault();
  };
  const leave = () => {
    if (phase() !== 'watching' || window.confirm(t('player.leaveConfirm'))) navigate('/tasks');
  };

  onMount(() => {
    if (!view) return;
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('beforeunload', onBeforeUnload);
    // Resume a step before the last accepted position, so the server's credit keeps up.
    if (view.position) video.currentTime = Math.max(0, view.position - REPORT_EVERY_MS / 1000);
    timer = setInterval(() => {
      if (playing() && document.visibilityState === 'visible') void report(true);
    }, REPORT_EVERY_MS);
    void video.play().catch(() => {
      // Autoplay can be refused; the visible play button starts it.
    });
  });
  onCleanup(() => {
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('beforeunload', onBeforeUnload);
    clearInterval(timer);
  });

  const play = () => {
    setHiddenPaused(false);
    void video.play();
  };

  const next = async () => {
    const refusal = await startNextView(navigate);
    setNextError(refusal ? i18n.errorText(refusal) : null);
  };

  const duration = () => view?.campaign.durationSeconds ?? 1;

  return (
    <>
      <Header title={view?.campaign.title ?? t('player.title')} onBack={leave} />
      <main class="page">
        <Show
          when={view}
          fallback={
            <div class="empty">
              <p>{t('player.noView')}</p>
              <button type="button" class="btn btn-outline" onClick={() => navigate('/tasks')}>
                {t('player.backToTasks')}
              </button>
            </div>
          }
        >
          {(v) => (
            <>
              <div class="video-frame">
                <video
                  ref={video}
                  src={v().campaign.mediaUrl}
                  muted
                  playsinline
                  preload="auto"
                  data-testid="video"
                  onPlay={() => {
                    setPlaying(true);
                    // After a resume the server has not seen this page yet: tell it at once that
                    // playback is visible again, so the seconds from here on are credited.
                    if (resumed && seq === view?.seq) void report(true);
                  }}
                  onPause={() => setPlaying(false)}
                  onTimeUpdate={() => {
                    setPosition(Math.min(video.currentTime, duration()));
                    // A file longer than the campaign's duration completes at the duration.
                    if (video.currentTime >= duration()) {
                      video.pause();
                      void complete();
                    }
                  }}
                  onEnded={() => void complete()}
                  onError={() => phase() === 'watching' && setError(t('player.loadFailed'))}
                  onContextMenu={(e) => e.preventDefault()}
                />
                <Show when={!playing() && phase() === 'watching'}>
                  <button type="button" class="play-overlay" onClick={play} data-testid="play">
                    <span>▶</span>
                    {t('player.play')}
                  </button>
                </Show>
              </div>
              <section class="card">
                <div class="spread">
                  <span class="strong">{t('player.videoProgress')}</span>
                  <span class="num muted" data-testid="video-position">
                    {t('player.left', { s: Math.max(0, duration() - Math.floor(position())) })}
                  </span>
                </div>
                <ProgressBar value={Math.floor(position())} max={duration()} testid="video-progress" />
                <div class="spread" style={{ 'margin-top': '12px' }}>
                  <span class="muted">{t('tasks.slot', { n: v().slot })}</span>
                  <span class="muted">{t('player.reward')}</span>
                </div>
                <Show when={hiddenPaused() && phase() === 'watching'}>
                  <p class="notice" data-testid="hidden-notice">
                    {t('player.hidden')}
                  </p>
                </Show>
                <Show when={playing() && phase() === 'watching'}>
                  <p class="hint">{t('player.playing')}</p>
                </Show>
                <Show when={phase() === 'completing'}>
                  <p class="hint">{t('player.completing')}</p>
                </Show>
                <Show when={error()}>
                  <p class="notice notice-danger" role="alert" data-testid="player-error">
                    {error()}
                  </p>
                </Show>
                <Show when={result()}>
                  {(r) => (
                    <div class="notice notice-ok" data-testid="player-done">
                      <p>{t('player.verified', { n: r().completedToday })}</p>
                      <Show when={r().conversion}>
                        {(c) => (
                          <p data-testid="conversion">
                            {t('player.converted', {
                              vouchers: formatPoints(c().vouchers),
                              eco: formatPoints(c().ecoPoints),
                            })}
                          </p>
                        )}
                      </Show>
                    </div>
                  )}
                </Show>
                <Show when={phase() === 'done' && result()?.conversion}>
                  <p class="notice notice-ok" data-testid="done-for-today">
                    {t('tasks.allDoneShort')}
                  </p>
                  <button type="button" class="btn btn-ghost btn-block" onClick={() => navigate('/tasks')}>
                    {t('player.backToTasks')}
                  </button>
                </Show>
                <Show when={(phase() === 'done' && !result()?.conversion) || phase() === 'failed'}>
                  <Show when={nextError()}>
                    <p class="notice notice-danger">{nextError()}</p>
                  </Show>
                  <div class="row" style={{ 'margin-top': '12px' }}>
                    <button type="button" class="btn btn-ghost grow" onClick={() => navigate('/tasks')}>
                      {t('player.backToTasks')}
                    </button>
                    <button
                      type="button"
                      class="btn btn-primary grow"
                      data-testid="next-video"
                      onClick={next}
                    >
                      {t('player.next')}
                    </button>
                  </div>
                </Show>
              </section>
            </>
          )}
        </Show>
      </main>
    </>
  );
}
