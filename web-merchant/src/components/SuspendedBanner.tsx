import { Show } from 'solid-js';
import { t } from '../i18n';

/**
 * On every page of a suspended merchant's or supplier's workspace: that it is suspended, the
 * operator's reason, and what stays possible and what does not (ADR 0017).
 */
export function SuspendedBanner(props: { kind: 'merchant' | 'supplier'; reason: string | null }) {
  return (
    <div class="banner banner-danger" data-testid="suspended-banner" role="status">
      <strong>{t('suspended.title')}</strong>
      <Show when={props.reason}>
        <span>
          {t('suspended.reason')}
          <strong data-testid="suspension-reason">{props.reason}</strong>
        </span>
      </Show>
      <span>{t(props.kind === 'merchant' ? 'suspended.merchantBody' : 'suspended.supplierBody')}</span>
    </div>
  );
}
