import {
  ApiFailure,
  formatFen,
  formatMinor,
  formatPoints,
  nextCursor,
  parseMinor,
  rows,
} from '@alliance/web-shared';
import { createEffect, createResource, createSignal, type JSX, Show } from 'solid-js';
import { api, type EcoHistoryEntry } from '../../api';
import { useMerchant } from '../../components/MerchantArea';
import {
  Alert,
  Badge,
  Card,
  ErrorNote,
  Field,
  formatDate,
  PageHeader,
  Stat,
  Table,
  useAction,
} from '../../components/ui';
import { type Key, t } from '../../i18n';
import { me } from '../../session';

/**
 * The merchant's received eco-points (SPEC flow 4): usable and held, their history in words, and
 * for the owner the two ways out: an eco-topup into ad points and a withdrawal, each showing what
 * it gives (from the server's rounding) before it is confirmed. Staff see the balances only.
 */
export function EcoPoints() {
  const { id, merchant, refetch } = useMerchant();
  const m = () => merchant()!;
  // GET /v1/me lists memberships without roles; the staff list, which only the owner may read
  // (others are refused), says who the owner is.
  const [staff] = createResource(() => id, api.staff);
  const isOwner = () =>
    !staff.error && rows(staff()).find((s) => s.userId === me()?.user.id)?.role === 'owner';
  const notOwner = () => Boolean(staff.error) || (staff() !== undefined && !isOwner());
  const [terms] = createResource(() => api.ecoTerms());
  const [withdrawals, { refetch: refetchWithdrawals }] = createResource(
    () => (isOwner() ? id : false),
    api.merchantWithdrawals,
  );
  const [entries, setEntries] = createSignal<EcoHistoryEntry[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const history = useAction(async (more: boolean) => {
    const page = await api.ecoPointsHistory(id, more ? (cursor() ?? undefined) : undefined);
    setEntries((r) => mergeWithdrawalParts(more ? [...r, ...rows(page)] : rows(page)));
    setCursor(nextCursor(page));
  });
  void history.run(false);
  const changed = () => {
    refetch();
    void history.run(false);
    refetchWithdrawals();
  };

  return (
    <div class="page">
      <PageHeader title={t('eco.title')} subtitle={t('eco.subtitle')} />
      <div class="stats">
        <Stat
          label={t('eco.usable')}
          value={formatPoints(m().ecoPoints)}
          tone="green"
          testId="eco-usable"
          hint={terms() ? t('eco.unitPrice', { price: formatFen(terms()!.ecoPointUnitPriceFen) }) : undefined}
        />
        <Stat
          label={t('eco.held')}
          value={formatPoints(m().ecoPointsHeld)}
          tone="amber"
          testId="eco-held"
          hint={t('eco.heldHint')}
        />
        <Stat
          label={t('merchant.adPoints')}
          value={formatPoints(m().adPoints)}
          tone="red"
          testId="ad-points"
        />
      </div>
      <Show when={notOwner()}>
        <Alert tone="info" testId="eco-owner-only">
          {t('eco.ownerOnly')}
        </Alert>
      </Show>
      <Show when={isOwner() && terms()}>
        <div class="grid-2">
          <EcoTopupCard merchantId={id} usable={m().ecoPoints} onDone={changed} />
          <Show
            when={terms()!.withdrawalsEnabled}
            fallback={
              <Card title={t('eco.withdrawTitle')}>
                <p class="muted" data-testid="withdrawals-off">
                  {t('eco.withdrawOff')}
                </p>
              </Card>
            }
          >
            <WithdrawCard
              merchantId={id}
              usable={m().ecoPoints}
              minimum={terms()!.withdrawalMinimumEcoPoints}
              feeBp={terms()!.withdrawalFeeBp}
              onDone={changed}
            />
          </Show>
        </div>
      </Show>
      <Show when={isOwner() && rows(withdrawals()).length > 0}>
        <Card title={t('eco.withdrawals')}>
          <Table
            rows={rows(withdrawals())}
            testId="eco-withdrawals"
            columns={[
              { label: t('col.time'), render: (w) => formatDate(w.createdAt) },
              {
                label: t('col.ecoPoints'),
                align: 'right',
                render: (w) => <span class="num">{formatPoints(w.ecoPoints)}</span>,
              },
              {
                label: t('col.fee'),
                align: 'right',
                render: (w) => <span class="num">{formatPoints(w.fee)}</span>,
              },
              {
                label: t('col.payout'),
                align: 'right',
                render: (w) => <span class="num">{formatFen(w.amount)}</span>,
              },
              { label: t('col.status'), render: (w) => <Badge status={`withdrawal_${w.status}`} /> },
              {
                label: t('col.note'),
                render: (w) =>
                  w.status === 'paid'
                    ? t('eco.paidRef', { reference: w.payoutReference ?? '—' })
                    : w.status === 'rejected'
                      ? t('eco.rejectedBecause', { reason: w.rejectionReason ?? '—' })
                      : t('eco.underReview'),
              },
            ]}
          />
        </Card>
      </Show>
      <Card title={t('eco.historyTitle')}>
        <ErrorNote error={history.error()} />
        <Table
          rows={entries()}
          testId="eco-history"
          empty={t('eco.historyEmpty')}
          columns={[
            { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
            { label: t('col.kind'), render: (r) => describe(r) },
            {
              label: t('col.change'),
              align: 'right',
              render: (r) =>
                r.type === 'pending' ? (
                  <span class="muted num">
                    {t(r.amount > 0 ? 'eco.pendingIn' : 'eco.pendingAmount', {
                      points: formatPoints(r.amount, { sign: true }),
                    })}
                  </span>
                ) : (
                  <span class={r.amount < 0 ? 'neg num' : 'pos num'}>
                    {formatPoints(r.amount, { sign: true })}
                  </span>
                ),
            },
            {
              label: t('col.balanceAfter'),
              align: 'right',
              render: (r) => <span class="num">{formatPoints(r.balanceAfter)}</span>,
            },
          ]}
        />
        <Show when={cursor()}>
          <div class="center">
            <button
              type="button"
              class="btn btn-ghost"
              disabled={history.busy()}
              onClick={() => history.run(true)}
            >
              {t('common.more')}
            </button>
          </div>
        </Show>
      </Card>
    </div>
  );
}

/**
 * A withdrawal moves its points and its fee as two transfers; people read them as one movement,
 * so adjacent entries of the same kind for the same withdrawal are shown summed (the newest
 * entry's balance is the balance after both).
 */
function mergeWithdrawalParts(list: EcoHistoryEntry[]): EcoHistoryEntry[] {
  const out: EcoHistoryEntry[] = [];
  for (const e of list) {
    const prev = out[out.length - 1];
    const wid = e.meta?.withdrawalId;
    if (prev && wid !== undefined && prev.meta?.withdrawalId === wid && prev.kind === e.kind) {
      out[out.length - 1] = { ...prev, amount: prev.amount + e.amount };
    } else out.push(e);
  }
  return out;
}

/** One eco-point movement in words, from its ledger kind and what it was for. */
function describe(r: EcoHistoryEntry): string {
  const meta = r.meta ?? {};
  const forOrder = 'orderId' in meta;
  const forWithdrawal = 'withdrawalId' in meta;
  const key = ((): Key => {
    switch (r.kind) {
      case 'sale_eco_points':
        return 'eco.kind.inStore';
      case 'order_eco_points_hold':
        return 'eco.kind.orderHeld';
      case 'pending_post':
        return forWithdrawal ? 'eco.kind.withdrawalPaid' : forOrder ? 'eco.kind.online' : 'eco.kind.other';
      case 'pending_void':
        return forWithdrawal
          ? 'eco.kind.withdrawalRejected'
          : forOrder
            ? 'eco.kind.orderLapsed'
            : 'eco.kind.other';
      case 'eco_topup':
        return 'eco.kind.ecoTopup';
      case 'withdrawal_hold':
        return 'eco.kind.withdrawalHeld';
      case 'refund':
        return 'eco.kind.refund';
      case 'operator_adjustment':
        return 'eco.kind.adjustment';
      default:
        return 'eco.kind.other';
    }
  })();
  const receipt = typeof meta.receiptNumber === 'string' ? meta.receiptNumber : null;
  return receipt ? t('eco.kind.withReceipt', { what: t(key), receipt }) : t(key);
}

/** A points field with the server's preview under it and a confirmation step before acting. */
function PointsForm(props: {
  name: string;
  label: string;
  hint: string;
  placeholder?: string;
  check: (points: number) => string | null;
  /** Told the typed amount (null while not one), so the caller can ask the server what it gives. */
  onPoints: (points: number | null) => void;
  preview: JSX.Element;
  confirmText: (points: number) => string;
  submitLabel: string;
  confirmLabel: string;
  act: (points: number) => Promise<void>;
  testId: string;
}) {
  const [text, setText] = createSignal('');
  const [confirming, setConfirming] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  const points = () => parseMinor(text());
  createEffect(() => props.onPoints(points()));
  const action = useAction(async () => {
    await props.act(points()!);
    // Leave the confirmation before clearing the amount it names.
    setConfirming(false);
    setText('');
  });
  const ask = (e: Event) => {
    e.preventDefault();
    const p = points();
    const issue = p === null || p <= 0 ? t('eco.pointsInvalid') : props.check(p);
    setProblem(issue);
    setConfirming(!issue);
  };
  return (
    <form class="form" onSubmit={ask} data-testid={props.testId}>
      <Field label={props.label} hint={props.hint}>
        <input
          class="input num"
          name={props.name}
          inputmode="decimal"
          placeholder={props.placeholder}
          value={text()}
          disabled={confirming()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setProblem(null);
            action.setError(null);
          }}
        />
      </Field>
      <Show when={points()}>{props.preview}</Show>
      <Show when={problem()}>
        <Alert tone="error">{problem()}</Alert>
      </Show>
      <ErrorNote error={action.error()} />
      <Show
        when={confirming()}
        fallback={
          <button type="submit" class="btn btn-primary" data-testid={`${props.testId}-submit`}>
            {props.submitLabel}
          </button>
        }
      >
        <Alert tone="warn" testId={`${props.testId}-confirm`}>
          <p>{props.confirmText(points() ?? 0)}</p>
          <div class="row">
            <button
              type="button"
              class="btn btn-primary btn-small"
              data-testid={`${props.testId}-yes`}
              disabled={action.busy()}
              onClick={() => action.run()}
            >
              {props.confirmLabel}
            </button>
            <button
              type="button"
              class="btn btn-ghost btn-small"
              disabled={action.busy()}
              onClick={() => setConfirming(false)}
            >
              {t('common.cancel')}
            </button>
          </div>
        </Alert>
      </Show>
    </form>
  );
}

const previewOf = (points: number) => api.ecoTerms(points).then((r) => r.preview!);

function EcoTopupCard(props: { merchantId: string; usable: number; onDone: () => void }) {
  const [points, setPoints] = createSignal<number | null>(null);
  const [preview] = createResource(() => points() || false, previewOf);
  const [receipt, setReceipt] = createSignal<Awaited<ReturnType<typeof api.ecoTopup>> | null>(null);
  return (
    <Card title={t('eco.topupTitle')}>
      <PointsForm
        name="ecoTopupPoints"
        testId="eco-topup"
        label={t('eco.topupPoints')}
        hint={t('eco.topupHint')}
        check={(p) => (p > props.usable ? t('error.insufficient_eco_points') : null)}
        onPoints={setPoints}
        preview={
          <Show when={preview()}>
            {(q) => (
              <p class="muted" data-testid="eco-topup-preview">
                {t('eco.topupPreview', {
                  points: formatPoints(q().ecoPoints),
                  value: formatFen(q().value),
                  adPoints: formatPoints(q().ecoTopupAdPoints),
                })}
              </p>
            )}
          </Show>
        }
        confirmText={(p) =>
          t('eco.topupConfirm', {
            points: formatPoints(p),
            adPoints: preview() ? formatPoints(preview()!.ecoTopupAdPoints) : '—',
          })
        }
        submitLabel={t('eco.topupSubmit')}
        confirmLabel={t('eco.topupYes')}
        act={async (p) => {
          setReceipt(null);
          try {
            setReceipt(await api.ecoTopup(props.merchantId, p));
          } catch (err) {
            // The shared words for amount_too_small speak of money top-ups; this one is about points.
            if (err instanceof ApiFailure && err.code === 'amount_too_small')
              throw new Error(t('eco.topupTooSmall'));
            throw err;
          }
          props.onDone();
        }}
      />
      <Show when={receipt()}>
        {(r) => (
          <Alert tone="ok" testId="eco-topup-receipt">
            <strong>{t('eco.receiptTitle')}</strong>
            <dl class="receipt-body">
              <dt>{t('eco.receiptNumber')}</dt>
              <dd class="mono">{r().receiptNumber}</dd>
              <dt>{t('eco.receiptPaid')}</dt>
              <dd class="num">{formatPoints(r().ecoPoints)}</dd>
              <dt>{t('eco.receiptGot')}</dt>
              <dd class="num" data-testid="eco-topup-ad-points">
                +{formatPoints(r().adPoints)}
              </dd>
              <dt>{t('eco.receiptPricesLabel')}</dt>
              <dd>
                {t('eco.receiptPrices', {
                  eco: formatFen(r().ecoPointUnitPriceFen),
                  ad: formatFen(r().adPointPriceFen),
                })}
              </dd>
              <dt>{t('col.time')}</dt>
              <dd>{formatDate(r().createdAt)}</dd>
            </dl>
          </Alert>
        )}
      </Show>
    </Card>
  );
}

function WithdrawCard(props: {
  merchantId: string;
  usable: number;
  minimum: number;
  feeBp: number;
  onDone: () => void;
}) {
  const [points, setPoints] = createSignal<number | null>(null);
  const [preview] = createResource(() => points() || false, previewOf);
  const [done, setDone] = createSignal<string | null>(null);
  return (
    <Card title={t('eco.withdrawTitle')}>
      <PointsForm
        name="withdrawPoints"
        testId="eco-withdraw"
        label={t('eco.withdrawPoints')}
        hint={t('eco.withdrawRules', {
          minimum: formatPoints(props.minimum),
          fee: `${formatMinor(props.feeBp)}%`,
        })}
        placeholder={formatMinor(props.minimum)}
        check={(p) =>
          p < props.minimum
            ? t('eco.belowMinimum', { minimum: formatPoints(props.minimum) })
            : p > props.usable
              ? t('error.insufficient_eco_points')
              : null
        }
        onPoints={setPoints}
        preview={
          <Show when={preview()}>
            {(q) => (
              <p class="muted" data-testid="eco-withdraw-preview">
                {t('eco.withdrawPreview', {
                  fee: formatPoints(q().withdrawalFee),
                  amount: formatFen(q().withdrawalAmount),
                })}
              </p>
            )}
          </Show>
        }
        confirmText={(p) =>
          t('eco.withdrawConfirm', {
            points: formatPoints(p),
            fee: preview() ? formatPoints(preview()!.withdrawalFee) : '—',
            amount: preview() ? formatFen(preview()!.withdrawalAmount) : '—',
          })
        }
        submitLabel={t('eco.withdrawSubmit')}
        confirmLabel={t('eco.withdrawYes')}
        act={async (p) => {
          setDone(null);
          const w = await api.withdraw(props.merchantId, p);
          setDone(t('eco.withdrawDone', { points: formatPoints(w.ecoPoints), amount: formatFen(w.amount) }));
          props.onDone();
        }}
      />
      <Show when={done()}>
        <Alert tone="ok" testId="eco-withdraw-done">
          {done()}
        </Alert>
      </Show>
    </Card>
  );
}
