import { createResource, createSignal, For, type JSX, Match, Show, Switch } from 'solid-js';
import type { ApiClient, Schemas } from './api';
import type { I18n } from './i18n';
import { LangSwitch } from './LangSwitch';
import { noticeDate, PRIVACY_CONTACT, PRIVACY_NOTICE_VERSION } from './privacy';
import type { SharedKey } from './SignIn';
import './privacy.css';

/** The notice's sections, in reading order. */
const SECTIONS: Array<{ title: SharedKey; lines: SharedKey[]; list?: boolean }> = [
  {
    title: 'privacy.collectTitle',
    lines: [
      'privacy.collectPhone',
      'privacy.collectShipTo',
      'privacy.collectAddress',
      'privacy.collectRecords',
    ],
    list: true,
  },
  { title: 'privacy.whyTitle', lines: ['privacy.why'] },
  { title: 'privacy.keepTitle', lines: ['privacy.keep'] },
  { title: 'privacy.rightsTitle', lines: ['privacy.rights'] },
  { title: 'privacy.contactTitle', lines: ['privacy.contact'] },
];

/**
 * Wraps the signed-in app: shows the privacy notice until the person accepts the version in force
 * (GET /v1/me says when it is needed: first sign-in, or a new version), so nothing of the app mounts
 * before consent. Declining calls `onDecline`, which signs out.
 */
export function ConsentGate(props: {
  api: ApiClient;
  i18n: I18n<SharedKey>;
  onDecline: () => void;
  children: JSX.Element;
}) {
  const { t } = props.i18n;
  const [consent, { mutate, refetch }] = createResource(async () => (await props.api.get('/v1/me')).consent);
  return (
    <Switch
      fallback={
        <p class="consent-status" role="status">
          {t('common.loading')}
        </p>
      }
    >
      <Match when={consent.error}>
        <div class="consent-status">
          <p class="error-text" role="alert">
            {props.i18n.errorText(consent.error)}
          </p>
          <button type="button" class="btn btn-outline" onClick={() => refetch()}>
            {t('common.retry')}
          </button>{' '}
          <button type="button" class="btn btn-ghost" onClick={() => props.onDecline()}>
            {t('common.signOut')}
          </button>
        </div>
      </Match>
      <Match when={consent() && !consent()!.required}>{props.children}</Match>
      <Match when={consent()}>
        {(c) => (
          <PrivacyNotice
            api={props.api}
            i18n={props.i18n}
            version={c().version}
            updated={c().acceptedVersion !== null}
            onAccepted={mutate}
            onDecline={props.onDecline}
          />
        )}
      </Match>
    </Switch>
  );
}

function PrivacyNotice(props: {
  api: ApiClient;
  i18n: I18n<SharedKey>;
  version: string;
  /** They accepted an earlier version. */
  updated: boolean;
  onAccepted: (consent: Schemas['Consent']) => void;
  onDecline: () => void;
}) {
  const { t } = props.i18n;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  // A bundle older than the server's notice cannot show its words: ask for a reload, never accept unseen text.
  const known = () => props.version === PRIVACY_NOTICE_VERSION;

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      props.onAccepted(await props.api.post('/v1/me/consent', { body: { version: PRIVACY_NOTICE_VERSION } }));
    } catch (err) {
      setError(props.i18n.errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="consent-page" data-testid="privacy-notice">
      <header class="consent-head">
        <h1>{t('privacy.title')}</h1>
        <LangSwitch i18n={props.i18n} />
      </header>
      <Show
        when={known()}
        fallback={
          <div class="consent-body">
            <p>{t('privacy.outdated')}</p>
          </div>
        }
      >
        <div class="consent-body">
          <p class="consent-version">
            {t('privacy.effective', { date: noticeDate(PRIVACY_NOTICE_VERSION, props.i18n.locale()) })}
          </p>
          <Show when={props.updated}>
            <p class="notice">{t('privacy.updated')}</p>
          </Show>
          <p>{t('privacy.intro')}</p>
          <For each={SECTIONS}>
            {(s) => (
              <section>
                <h2>{t(s.title)}</h2>
                <Show
                  when={s.list}
                  fallback={
                    <For each={s.lines}>{(line) => <p>{t(line, { email: PRIVACY_CONTACT })}</p>}</For>
                  }
                >
                  <ul>
                    <For each={s.lines}>{(line) => <li>{t(line)}</li>}</For>
                  </ul>
                </Show>
              </section>
            )}
          </For>
        </div>
      </Show>
      <footer class="consent-actions">
        <Show when={error()}>
          <p class="error-text" role="alert">
            {error()}
          </p>
        </Show>
        <Show
          when={known()}
          fallback={
            <button type="button" class="btn btn-primary btn-block" onClick={() => location.reload()}>
              {t('privacy.reload')}
            </button>
          }
        >
          <button
            type="button"
            class="btn btn-primary btn-block"
            data-testid="privacy-accept"
            disabled={busy()}
            onClick={accept}
          >
            {t('privacy.accept')}
          </button>
        </Show>
        <button
          type="button"
          class="btn btn-ghost btn-block"
          data-testid="privacy-decline"
          disabled={busy()}
          onClick={() => props.onDecline()}
        >
          {t('privacy.decline')}
        </button>
        <p class="hint center">{t('privacy.declineHint')}</p>
      </footer>
    </div>
  );
}
