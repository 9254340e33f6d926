import { formatFen, formatPoints } from '@alliance/web-shared';
import { Show } from 'solid-js';
import type { StripeAnomaly } from '../api';
import { t } from '../i18n';
import { formatDate } from './ui';

type Handling = Pick<StripeAnomaly, 'resolvedAt' | 'resolvedByPhone' | 'resolutionNote' | 'refund'>;

/**
 * How an operator dealt with a payment anomaly: who, when, the refund applied and the note. On the
 * anomalies page and in a day's report that lists the anomaly.
 */
export function AnomalyResolution(props: { handling: Handling; testid: string }) {
  return (
    <div class="small" data-testid={props.testid}>
      <div>
        {t('anomaly.resolvedBy', {
          operator: props.handling.resolvedByPhone ?? '—',
          time: formatDate(props.handling.resolvedAt),
        })}
      </div>
      <Show when={props.handling.refund}>
        {(r) => (
          <div>
            {t('anomaly.refundApplied', {
              part: formatFen(r().refunded),
              money: formatFen(r().cashRefunded),
              points: formatPoints(r().ecoPointsReturned),
            })}
          </div>
        )}
      </Show>
      <Show when={props.handling.resolutionNote}>
        <div class="muted">{t('anomaly.noteSaid', { note: props.handling.resolutionNote ?? '' })}</div>
      </Show>
    </div>
  );
}
