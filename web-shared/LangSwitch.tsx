import type { I18n } from './i18n';
import type { SharedKey } from './SignIn';

/** A small pill that switches zh-CN ⇄ English; placed on every page. */
export function LangSwitch(props: { i18n: I18n<SharedKey> }) {
  return (
    <button
      type="button"
      class="lang-switch"
      data-testid="lang-switch"
      onClick={() => props.i18n.toggleLocale()}
    >
      {props.i18n.t('lang.switch')}
    </button>
  );
}
