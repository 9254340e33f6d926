import { exportFileName } from '@alliance/web-shared';
import { useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { i18n, t } from './i18n';
import { api, auth } from './session';

/** Set when the account was just deleted, so the sign-in page can say so; cleared by the next sign-in. */
export const [accountDeleted, setAccountDeleted] = createSignal(false);

/** On the Me page: download everything kept about the person, or delete the account (PIPL). */
export function MyData() {
  const navigate = useNavigate();
  const [busy, setBusy] = createSignal(false);
  const [exported, setExported] = createSignal<string | null>(null);
  const [confirming, setConfirming] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(i18n.errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const download = () =>
    run(async () => {
      const data = await api.get('/v1/me/export');
      const file = exportFileName(new Date());
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = file;
      link.click();
      // The download has started by the next turn; keep the URL a while for slow browsers.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setExported(file);
    });

  const remove = () =>
    run(async () => {
      await api.delete('/v1/me', { body: { confirm: true } });
      setAccountDeleted(true);
      navigate('/', { replace: true });
      auth.signOut();
    });

  return (
    <section class="card my-data" data-testid="my-data">
      <div class="card-title">{t('mydata.title')}</div>
      <p class="hint">{t('mydata.exportHint')}</p>
      <button
        type="button"
        class="btn btn-outline btn-block"
        data-testid="export-data"
        disabled={busy()}
        onClick={download}
      >
        {t('mydata.export')}
      </button>
      <Show when={exported()}>
        {(file) => (
          <p class="notice notice-ok" data-testid="export-done">
            {t('mydata.exported', { file: file() })}
          </p>
        )}
      </Show>
      <Show
        when={confirming()}
        fallback={
          <button
            type="button"
            class="btn btn-ghost btn-block"
            data-testid="delete-account"
            disabled={busy()}
            onClick={() => {
              setError(null);
              setConfirming(true);
            }}
          >
            {t('mydata.delete')}
          </button>
        }
      >
        <div
          class="notice notice-danger delete-confirmation"
          role="alertdialog"
          data-testid="delete-confirmation"
        >
          <strong>{t('mydata.deleteTitle')}</strong>
          <p>{t('mydata.deleteErased')}</p>
          <p>{t('mydata.deleteKept')}</p>
          <p>{t('mydata.deleteFinal')}</p>
          <div class="row">
            <button
              type="button"
              class="btn btn-danger"
              data-testid="delete-confirm"
              disabled={busy()}
              onClick={remove}
            >
              {t('mydata.deleteConfirm')}
            </button>
            <button
              type="button"
              class="btn btn-ghost"
              disabled={busy()}
              onClick={() => setConfirming(false)}
            >
              {t('common.cancel')}
            </button>
          </div>
        </div>
      </Show>
      <Show when={error()}>
        <p class="error-text" role="alert" data-testid="my-data-error">
          {error()}
        </p>
      </Show>
    </section>
  );
}
