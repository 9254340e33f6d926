import { LangSwitch, SignIn } from '@alliance/web-shared';
import { For } from 'solid-js';
import { i18n, t } from '../i18n';
import { auth, client } from '../session';

/** Split screen: the alliance's pitch on the left, phone + SMS code on the right. */
export function SignInPage() {
  const points = () => [t('signin.point1'), t('signin.point2'), t('signin.point3')];
  return (
    <div class="signin-page">
      <section class="signin-hero">
        <div class="brand brand-light">
          <span class="brand-mark">盟</span>
          <span class="brand-text">
            <strong>{t('app.name')}</strong>
            <small>{t('app.tagline')}</small>
          </span>
        </div>
        <div class="signin-pitch">
          <h1>{t('signin.heroTitle')}</h1>
          <p>{t('signin.heroBody')}</p>
          <ul>
            <For each={points()}>{(p) => <li>{p}</li>}</For>
          </ul>
        </div>
        <p class="signin-foot">
          © {new Date().getFullYear()} {t('app.name')}
        </p>
      </section>
      <section class="signin-panel">
        <div class="signin-top">
          <LangSwitch i18n={i18n} />
        </div>
        <div class="signin-box card">
          <h2>{t('signin.title')}</h2>
          <p class="muted">{t('signin.subtitle')}</p>
          <SignIn api={client} i18n={i18n} onSignedIn={(token, user) => auth.signIn(token, user)} />
        </div>
      </section>
    </div>
  );
}
