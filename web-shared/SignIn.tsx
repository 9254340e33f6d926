import { createSignal, onCleanup, Show } from 'solid-js';
import type { ApiClient } from './api';
import type { AuthUser } from './auth';
import type { I18n, sharedZh } from './i18n';

export type SharedKey = keyof typeof sharedZh;

/** "13800000001" → "+8613800000001"; "+44…" kept; anything else → null. */
/** A phone number as people may see it: +86138****0300 (the middle four digits hidden). */

export function toE164(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '');
  if (/^1\d{10}$/.test(compact)) return `+86${compact}`;
  if (/^\+[1-9]\d{6,14}$/.test(compact)) return compact;
  return null;
}

const RESEND_SECONDS = 60;

/** Phone + SMS-code sign-in (POST /v1/auth/otp, then /v1/auth/verify). */
export function SignIn(props: {
  api: ApiClient;
  i18n: I18n<SharedKey>;
  onSignedIn: (token: string, user: AuthUser) => void;
}) {
  const { t } = props.i18n;
  const [phone, setPhone] = createSignal('');
  const [code, setCode] = createSignal('');
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const [devCode, setDevCode] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [wait, setWait] = createSignal(0);

  let timer: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => clearInterval(timer));

  const sendCode = async () => {
    const e164 = toE164(phone());
    if (!e164) return setError(t('signin.phoneInvalid'));
    setError(null);
    setBusy(true);
    try {
      const res = await props.api.post('/v1/auth/otp', { body: { phone: e164 } });
      setSentTo(e164);
      setDevCode(res.devCode ?? null);
      setWait(RESEND_SECONDS);
      clearInterval(timer);
      timer = setInterval(() => {
        setWait((s) => s - 1);
        if (wait() <= 0) clearInterval(timer);
      }, 1000);
    } catch (err) {
      setError(props.i18n.errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const verify = async (event: Event) => {
    event.preventDefault();
    const e164 = sentTo();
    if (!e164) return;
    setError(null);
    setBusy(true);
    try {
      const res = await props.api.post('/v1/auth/verify', {
        body: { phone: e164, code: code().trim() },
      });
      props.onSignedIn(res.token, res.user);
    } catch (err) {
      setError(props.i18n.errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="signin" onSubmit={verify} data-testid="signin">
      <label class="field">
        <span class="field-label">{t('signin.phone')}</span>
        <div class="field-row">
          <input
            class="input"
            name="phone"
            type="tel"
            inputmode="tel"
            autocomplete="tel"
            placeholder={t('signin.phonePlaceholder')}
            value={phone()}
            onInput={(e) => setPhone(e.currentTarget.value)}
          />
          <button
            type="button"
            class="btn btn-outline btn-small"
            data-testid="send-code"
            disabled={busy() || wait() > 0}
            onClick={sendCode}
          >
            {wait() > 0 ? t('signin.resendIn', { s: wait() }) : t('signin.sendCode')}
          </button>
        </div>
      </label>
      <label class="field">
        <span class="field-label">{t('signin.code')}</span>
        <input
          class="input"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength="6"
          placeholder={t('signin.codePlaceholder')}
          value={code()}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
      <Show when={sentTo()}>
        <p class="hint">{t('signin.sent', { phone: sentTo()! })}</p>
      </Show>
      <Show when={devCode()}>
        <p class="dev-hint" data-testid="dev-code">
          <span class="badge badge-dev">{t('signin.devHint')}</span>
          {t('signin.devCode')}
          <strong class="dev-code mono">{devCode()}</strong>
          <span class="dev-note">{t('signin.devNote')}</span>
        </p>
      </Show>
      <Show when={error()}>
        <p class="error-text" role="alert">
          {error()}
        </p>
      </Show>
      <button
        type="submit"
        class="btn btn-primary btn-block"
        data-testid="signin-submit"
        disabled={busy() || !sentTo() || !/^\d{6}$/.test(code().trim())}
      >
        {t('signin.submit')}
      </button>
      <p class="hint center">{t('signin.terms')}</p>
    </form>
  );
}
