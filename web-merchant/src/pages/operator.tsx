import { formatFen, formatMinor, formatPoints, parseMinor } from '@alliance/web-shared';
import { createResource, createSignal, For, Match, Show, Switch } from 'solid-js';
import { type Application, api, type Campaign } from '../api';
import {
  Alert,
  Badge,
  Bars,
  Card,
  Empty,
  ErrorNote,
  Field,
  formatDate,
  Loaded,
  PageHeader,
  Stat,
  Table,
  useAction,
} from '../components/ui';
import { i18n, type Key, t } from '../i18n';
import { match } from '../router';

/** The platform operator's pages. */
export function OperatorArea() {
  return (
    <Switch fallback={<Applications />}>
      <Match when={match('/platform/parameters')}>
        <Parameters />
      </Match>
      <Match when={match('/platform/campaigns')}>
        <Campaigns />
      </Match>
      <Match when={match('/platform/refusals')}>
        <Refusals />
      </Match>
      <Match when={match('/platform/ledger')}>
        <LedgerVerify />
      </Match>
      <Match when={match('/platform/stripe')}>
        <StripeAnomalies />
      </Match>
      <Match when={match('/platform/payouts')}>
        <PlatformPayouts />
      </Match>
    </Switch>
  );
}

/* ---------- Applications ---------- */

function Applications() {
  const [kind, setKind] = createSignal<'merchants' | 'suppliers'>('merchants');
  const [status, setStatus] = createSignal('pending');
  const [rows, { refetch }] = createResource(
    () => ({ kind: kind(), status: status() }),
    (q) => api.applications(q.kind, q.status),
  );
  const [rejecting, setRejecting] = createSignal<Application | null>(null);
  const [rating, setRating] = createSignal<Application | null>(null);
  const [rate, setRate] = createSignal('');
  const saveRate = useAction(async (e: Event) => {
    e.preventDefault();
    const a = rating()!;
    // Percent with two decimals is exactly basis points: "12.50" → 1250.
    const typed = rate().replace('%', '').trim();
    const bp = typed === '' ? null : parseMinor(typed);
    if (typed !== '' && bp === null) throw new Error(t('form.valueInvalid'));
    await api.setAdRate(a.id, bp);
    setNotice(t('ops.adRateSaved', { name: a.name }));
    setRating(null);
    setRate('');
    refetch();
  });
  const [reason, setReason] = createSignal('');
  const [notice, setNotice] = createSignal<string | null>(null);
  const approve = useAction(async (a: Application) => {
    await api.approve(kind(), a.id);
    setNotice(t('ops.approvedOk', { name: a.name }));
    refetch();
  });
  const reject = useAction(async (e: Event) => {
    e.preventDefault();
    const a = rejecting()!;
    await api.reject(kind(), a.id, reason().trim());
    setNotice(t('ops.rejectedOk', { name: a.name }));
    setRejecting(null);
    setReason('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('ops.applicationsTitle')} subtitle={t('ops.applicationsSubtitle')} />
      <div class="toolbar">
        <div class="tabs">
          <button
            type="button"
            class={kind() === 'merchants' ? 'tab active' : 'tab'}
            data-testid="tab-merchants"
            onClick={() => setKind('merchants')}
          >
            {t('ops.merchantApps')}
          </button>
          <button
            type="button"
            class={kind() === 'suppliers' ? 'tab active' : 'tab'}
            data-testid="tab-suppliers"
            onClick={() => setKind('suppliers')}
          >
            {t('ops.supplierApps')}
          </button>
        </div>
        <div class="segmented">
          <For each={['pending', 'active', 'rejected']}>
            {(s) => (
              <button type="button" class={status() === s ? 'active' : ''} onClick={() => setStatus(s)}>
                {t(`status.${s}` as Key)}
              </button>
            )}
          </For>
        </div>
      </div>
      <Show when={notice()}>
        <Alert tone="ok" testId="ops-notice">
          {notice()}
        </Alert>
      </Show>
      <ErrorNote error={approve.error()} />
      <Show when={rejecting()}>
        {(a) => (
          <Card title={t('ops.rejectTitle', { name: a().name })}>
            <form class="inline-form" onSubmit={(e) => reject.run(e)}>
              <input
                class="input grow"
                name="reason"
                placeholder={t('ops.reasonPlaceholder')}
                value={reason()}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
              <button type="submit" class="btn btn-primary" disabled={reject.busy() || !reason().trim()}>
                {t('ops.confirmReject')}
              </button>
              <button type="button" class="btn btn-ghost" onClick={() => setRejecting(null)}>
                {t('common.cancel')}
              </button>
            </form>
            <ErrorNote error={reject.error()} />
          </Card>
        )}
      </Show>
      <Show when={rating()}>
        {(a) => (
          <Card title={t('ops.adRateTitle', { name: a().name })}>
            <form class="inline-form" onSubmit={(e) => saveRate.run(e)}>
              <div class="input-affix">
                <input
                  class="input"
                  name="adRate"
                  inputmode="decimal"
                  placeholder="15.00"
                  value={rate()}
                  onInput={(e) => setRate(e.currentTarget.value)}
                />
                <span class="affix-end">%</span>
              </div>
              <button type="submit" class="btn btn-primary" disabled={saveRate.busy()}>
                {t('ops.save')}
              </button>
              <button type="button" class="btn btn-ghost" onClick={() => setRating(null)}>
                {t('common.cancel')}
              </button>
            </form>
            <p class="muted">{t('ops.adRateHint')}</p>
            <ErrorNote error={saveRate.error()} />
          </Card>
        )}
      </Show>
      <Card>
        <Loaded resource={rows}>
          {(page) => (
            <Table
              rows={page.data}
              testId="applications"
              empty={t('ops.noApplications')}
              columns={[
                {
                  label: t('col.name'),
                  render: (r) => (
                    <span>
                      <strong>{r.name}</strong>
                      <br />
                      <span class="muted mono">{r.id}</span>
                    </span>
                  ),
                },
                ...(kind() === 'merchants'
                  ? [{ label: t('apply.category'), render: (r: Application) => r.category ?? '—' }]
                  : []),
                { label: t('apply.address'), render: (r) => r.address ?? '—' },
                { label: t('apply.contact'), render: (r) => r.contact ?? '—' },
                { label: t('col.applied'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.status'),
                  render: (r) => (
                    <span>
                      <Badge status={r.status} />
                      <Show when={r.rejectionReason}>
                        <span class="muted"> {r.rejectionReason}</span>
                      </Show>
                    </span>
                  ),
                },
                ...(kind() === 'merchants' && status() === 'active'
                  ? [
                      {
                        label: t('ops.adRate'),
                        align: 'right' as const,
                        render: (r: Application) => (
                          <span class="row end">
                            <span class="num">
                              {r.adRateBp === undefined ? '—' : `${formatMinor(r.adRateBp)}%`}
                            </span>
                            <button
                              type="button"
                              class="btn btn-ghost btn-small"
                              onClick={() => {
                                setRating(r);
                                setRate(
                                  r.adRateBp === undefined ? '' : formatMinor(r.adRateBp, { group: false }),
                                );
                              }}
                            >
                              {t('ops.setAdRate')}
                            </button>
                          </span>
                        ),
                      },
                    ]
                  : []),
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={r.status === 'pending'}>
                      <span class="row end">
                        <button
                          type="button"
                          class="btn btn-primary btn-small"
                          data-testid={`approve-${r.id}`}
                          disabled={approve.busy()}
                          onClick={() => approve.run(r)}
                        >
                          {t('ops.approve')}
                        </button>
                        <button
                          type="button"
                          class="btn btn-ghost btn-small"
                          data-testid={`reject-${r.id}`}
                          onClick={() => setRejecting(r)}
                        >
                          {t('ops.reject')}
                        </button>
                      </span>
                    </Show>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

/* ---------- Parameters ---------- */

type Unit = 'fen' | 'bp' | 'points' | 'count' | 'text';
/** The unit a parameter is kept in follows its name (amountFen, adRateBp, ...AdPoints). */
function unitOf(name: string, value: unknown): Unit {
  if (typeof value === 'string') return 'text';
  if (/Fen$/.test(name)) return 'fen';
  if (/Bp$/.test(name)) return 'bp';
  if (/(AdPoints|EcoPoints|Vouchers|PerYuan)$/.test(name)) return 'points';
  return 'count';
}
function showValue(name: string, value: number | string): string {
  const unit = unitOf(name, value);
  if (unit === 'text' || typeof value === 'string') return String(value);
  if (unit === 'fen') return formatFen(value);
  if (unit === 'bp') return `${formatMinor(value)}%`;
  if (unit === 'points') return formatPoints(value);
  return String(value);
}
/** What the operator typed, in the unit shown, back to the stored integer (or text). */
function parseValue(unit: Unit, text: string): number | string | null {
  if (unit === 'text') return text.trim() || null;
  if (unit === 'count') return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
  return parseMinor(text.replace(/[¥%\s]/g, ''));
}
const paramLabel = (name: string) => (i18n.has(`param.${name}`) ? t(`param.${name}` as Key) : name);

function Parameters() {
  const [overview, { refetch }] = createResource(api.parameters);
  const rows = () =>
    Object.entries(overview()?.values ?? {}).map(([name, value]) => ({
      name,
      value,
      changed: overview()!.defaults[name] !== value,
    }));
  const [name, setName] = createSignal('');
  const [value, setValue] = createSignal('');
  const [effective, setEffective] = createSignal('');
  const [saved, setSaved] = createSignal(false);
  const selected = () => rows().find((p) => p.name === name());
  const change = useAction(async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const p = selected();
    if (!p) return;
    const parsed = parseValue(unitOf(p.name, p.value), value());
    if (parsed === null) throw new Error(t('form.valueInvalid'));
    // Empty means "now": the server takes its own clock rather than the browser's.
    await api.changeParameter(p.name, parsed, effective() ? new Date(effective()).toISOString() : undefined);
    setSaved(true);
    setValue('');
    setEffective('');
    refetch();
  });
  const unitHint = () => {
    const p = selected();
    return p ? t(`unit.${unitOf(p.name, p.value)}` as Key) : '';
  };
  return (
    <div class="page">
      <PageHeader title={t('ops.parametersTitle')} subtitle={t('ops.parametersSubtitle')} />
      <Show when={!overview.error} fallback={<ErrorNote error={overview.error} />}>
        <div class="grid-2 grid-wide-left">
          <Card title={t('ops.current')}>
            <Table
              rows={rows()}
              testId="parameters"
              columns={[
                {
                  label: t('col.parameter'),
                  render: (r) => (
                    <span>
                      {paramLabel(r.name)}
                      <br />
                      <span class="muted mono small">{r.name}</span>
                    </span>
                  ),
                },
                {
                  label: t('col.value'),
                  align: 'right',
                  render: (r) => (
                    <span>
                      <strong class="num">{showValue(r.name, r.value)}</strong>
                      <Show when={r.changed}>
                        <br />
                        <span class="muted small">
                          {t('ops.default')} {showValue(r.name, overview()!.defaults[r.name]!)}
                        </span>
                      </Show>
                    </span>
                  ),
                },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => setName(r.name)}>
                      {t('ops.change')}
                    </button>
                  ),
                },
              ]}
            />
          </Card>
          <div class="sticky-col">
            <Card title={t('ops.changeTitle')}>
              <form class="form" onSubmit={(e) => change.run(e)}>
                <Field label={t('col.parameter')}>
                  <select
                    class="input"
                    name="name"
                    value={name()}
                    onChange={(e) => setName(e.currentTarget.value)}
                  >
                    <option value="">{t('ops.pickParameter')}</option>
                    <For each={rows()}>{(p) => <option value={p.name}>{paramLabel(p.name)}</option>}</For>
                  </select>
                </Field>
                <Show when={selected()}>
                  {(p) => (
                    <p class="muted">
                      {t('ops.currentValue')} <strong>{showValue(p().name, p().value)}</strong>
                    </p>
                  )}
                </Show>
                <Field label={t('ops.newValue')} hint={unitHint()}>
                  <input
                    class="input"
                    name="value"
                    value={value()}
                    onInput={(e) => setValue(e.currentTarget.value)}
                  />
                </Field>
                <Field label={t('ops.effectiveFrom')} hint={t('ops.effectiveHint')}>
                  <input
                    class="input"
                    type="datetime-local"
                    name="effectiveFrom"
                    value={effective()}
                    onInput={(e) => setEffective(e.currentTarget.value)}
                  />
                </Field>
                <ErrorNote error={change.error()} />
                <Show when={saved()}>
                  <Alert tone="ok">{t('ops.saved')}</Alert>
                </Show>
                <button
                  type="submit"
                  class="btn btn-primary"
                  disabled={change.busy() || !selected() || !value().trim()}
                >
                  {t('ops.save')}
                </button>
              </form>
            </Card>
          </div>
        </div>
        <Card title={t('ops.history')}>
          <Table
            rows={overview()?.history}
            testId="parameter-history"
            columns={[
              {
                label: t('col.parameter'),
                render: (r) => (
                  <span>
                    {paramLabel(r.name)}
                    <Show when={r.scope !== 'platform'}>
                      <span class="muted mono small"> · {r.scope}</span>
                    </Show>
                  </span>
                ),
              },
              {
                label: t('col.value'),
                align: 'right',
                render: (r) => <span class="num">{r.value === null ? '—' : showValue(r.name, r.value)}</span>,
              },
              { label: t('ops.effectiveFrom'), render: (r) => formatDate(r.effectiveFrom) },
              { label: t('col.changedAt'), render: (r) => formatDate(r.changedAt) },
              { label: t('col.changedBy'), render: (r) => <span class="mono small">{r.changedBy}</span> },
              { label: t('col.reason'), render: (r) => r.reason ?? '—' },
            ]}
          />
        </Card>
      </Show>
    </div>
  );
}

/* ---------- Video campaigns ---------- */

/** The last n business dates (Asia/Shanghai, like the server), oldest first, as YYYY-MM-DD. */
function lastDays(n: number): string[] {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
  return Array.from({ length: n }, (_, i) => fmt.format(new Date(Date.now() - (n - 1 - i) * 86_400_000)));
}

function Campaigns() {
  const [campaigns, { refetch }] = createResource(api.campaigns);
  const [chartFor, setChartFor] = createSignal<string | null>(null);
  const [form, setForm] = createSignal({
    title: '',
    advertiser: '',
    mediaUrl: '',
    durationSeconds: '30',
    price: '',
    budget: '',
  });
  const set = (k: keyof ReturnType<typeof form>) => (e: { currentTarget: HTMLInputElement }) =>
    setForm((f) => ({ ...f, [k]: e.currentTarget.value }));
  const create = useAction(async (e: Event) => {
    e.preventDefault();
    const f = form();
    const price = parseMinor(f.price);
    const budget = parseMinor(f.budget);
    const duration = /^\d{1,4}$/.test(f.durationSeconds.trim()) ? Number(f.durationSeconds.trim()) : null;
    if (price === null || budget === null || price <= 0 || budget <= 0)
      throw new Error(t('form.amountInvalid'));
    if (duration === null) throw new Error(t('form.valueInvalid'));
    await api.createCampaign({
      title: f.title.trim(),
      advertiser: f.advertiser.trim() || undefined,
      mediaUrl: f.mediaUrl.trim(),
      durationSeconds: duration,
      pricePerCompletion: price,
      budget,
    });
    setForm({ title: '', advertiser: '', mediaUrl: '', durationSeconds: '30', price: '', budget: '' });
    refetch();
  });
  const toggle = useAction(async (c: Campaign) => {
    await api.setCampaignStatus(c.id, c.status === 'paused' ? 'active' : 'paused');
    refetch();
  });
  const chartCampaign = (): Campaign | undefined => {
    const list = campaigns()?.data ?? [];
    return list.find((c) => c.id === chartFor()) ?? list[0];
  };
  return (
    <div class="page">
      <PageHeader title={t('ops.campaignsTitle')} subtitle={t('ops.campaignsSubtitle')} />
      <Card title={t('ops.campaignList')}>
        <Loaded resource={campaigns}>
          {(page) => (
            <Table
              rows={page.data}
              testId="campaigns"
              columns={[
                {
                  label: t('col.campaign'),
                  render: (r) => (
                    <span>
                      <strong>{r.title}</strong>
                      <br />
                      <span class="muted">{r.advertiser ?? ''}</span>
                    </span>
                  ),
                },
                {
                  label: t('col.duration'),
                  align: 'right',
                  render: (r) => t('ops.seconds', { s: r.durationSeconds }),
                },
                {
                  label: t('col.pricePerCompletion'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.pricePerCompletion)}</span>,
                },
                {
                  label: t('col.budgetUsed'),
                  render: (r) => {
                    const used = r.budgetUsed ?? 0;
                    const pct = r.budget > 0 ? Math.min(100, Math.floor((used * 100) / r.budget)) : 0;
                    return (
                      <div class="budget">
                        <div class="progress">
                          <span style={{ width: `${pct}%` }} />
                        </div>
                        <span class="muted num">
                          {formatFen(used)} / {formatFen(r.budget)}
                        </span>
                      </div>
                    );
                  },
                },
                {
                  label: t('col.completions'),
                  align: 'right',
                  render: (r) => (
                    <span class="num">
                      {(r.completionsByDay ?? []).reduce((a, d) => a + d.completions, 0)}
                    </span>
                  ),
                },
                {
                  label: t('col.status'),
                  render: (r) => <Badge status={r.serving ? 'serving' : (r.status ?? 'active')} />,
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
      <Card
        title={t('ops.completionsChart')}
        extra={
          <Show when={(campaigns()?.data.length ?? 0) > 0}>
            <select
              class="input input-compact"
              value={chartCampaign()?.id ?? ''}
              onChange={(e) => setChartFor(e.currentTarget.value)}
            >
              <For each={campaigns()?.data ?? []}>{(c) => <option value={c.id}>{c.title}</option>}</For>
            </select>
          </Show>
        }
      >
        <Show when={chartCampaign()} fallback={<Empty text={t('common.empty')} />}>
          <Bars
            testId="completions-chart"
            points={lastDays(14).map((date) => ({
              label: date.slice(5),
              value:
                chartCampaign()?.completionsByDay?.find((d) => d.businessDate === date)?.completions ?? 0,
            }))}
          />
        </Show>
      </Card>
      <Card title={t('ops.newCampaign')}>
        <form class="form" onSubmit={(e) => create.run(e)}>
          <div class="form-grid">
            <Field label={t('ops.campaignTitle')}>
              <input class="input" name="title" value={form().title} onInput={set('title')} />
            </Field>
            <Field label={t('ops.advertiser')}>
              <input class="input" name="advertiser" value={form().advertiser} onInput={set('advertiser')} />
            </Field>
            <Field label={t('ops.mediaUrl')} hint={t('ops.mediaUrlHint')}>
              <input class="input" name="mediaUrl" value={form().mediaUrl} onInput={set('mediaUrl')} />
            </Field>
            <Field label={t('ops.durationSeconds')}>
              <input
                class="input"
                name="durationSeconds"
                inputmode="numeric"
                value={form().durationSeconds}
                onInput={set('durationSeconds')}
              />
            </Field>
            <Field label={t('ops.pricePerCompletion')}>
              <input
                class="input"
                name="price"
                inputmode="decimal"
                placeholder="0.50"
                value={form().price}
                onInput={set('price')}
              />
            </Field>
            <Field label={t('ops.budget')}>
              <input
                class="input"
                name="budget"
                inputmode="decimal"
                placeholder="1000.00"
                value={form().budget}
                onInput={set('budget')}
              />
            </Field>
          </div>
          <ErrorNote error={create.error()} />
          <button type="submit" class="btn btn-primary" disabled={create.busy() || !form().title.trim()}>
            {t('ops.createCampaign')}
          </button>
        </form>
      </Card>
    </div>
  );
}

/* ---------- Refusals, ledger, Stripe, payouts ---------- */

const reasonLabel = (r: string) =>
  i18n.has(`error.${r}`) ? t(`error.${r}` as Key) : i18n.has(`reason.${r}`) ? t(`reason.${r}` as Key) : r;

function Refusals() {
  const [data] = createResource(api.refusals);
  return (
    <div class="page">
      <PageHeader title={t('ops.refusalsTitle')} subtitle={t('ops.refusalsSubtitle')} />
      <Loaded resource={data}>
        {(r) => (
          <>
            <div class="grid-2">
              <Card title={t('ops.refusalsChart')}>
                <Bars points={r.counts.map((c) => ({ label: c.reason.slice(0, 12), value: c.count }))} />
              </Card>
              <Card title={t('ops.refusalsByReason')}>
                <Table
                  rows={r.counts}
                  testId="refusals"
                  columns={[
                    {
                      label: t('col.reason'),
                      render: (c) => (
                        <span>
                          {reasonLabel(c.reason)}
                          <br />
                          <span class="mono muted small">{c.reason}</span>
                        </span>
                      ),
                    },
                    {
                      label: t('col.count'),
                      align: 'right',
                      render: (c) => <strong class="num">{c.count}</strong>,
                    },
                  ]}
                />
              </Card>
            </div>
            <Card title={t('ops.refusalsRecent')}>
              <Table
                rows={r.recent}
                columns={[
                  { label: t('col.time'), render: (c) => formatDate(c.createdAt) },
                  {
                    label: t('col.stage'),
                    render: (c) => (i18n.has(`stage.${c.stage}`) ? t(`stage.${c.stage}` as Key) : c.stage),
                  },
                  { label: t('col.reason'), render: (c) => reasonLabel(c.reason) },
                ]}
              />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}

function LedgerVerify() {
  const [result, { refetch }] = createResource(api.ledgerVerify);
  return (
    <div class="page">
      <PageHeader
        title={t('ops.ledgerTitle')}
        subtitle={t('ops.ledgerSubtitle')}
        actions={
          <button type="button" class="btn btn-primary" disabled={result.loading} onClick={() => refetch()}>
            {t('ops.verifyAgain')}
          </button>
        }
      />
      <Loaded resource={result}>
        {(r) => (
          <>
            <div class={`verdict ${r.ok ? 'verdict-ok' : 'verdict-bad'}`} data-testid="ledger-verdict">
              <span class="verdict-icon">{r.ok ? '✓' : '✕'}</span>
              <div>
                <h2>{r.ok ? t('ops.ledgerOk') : t('ops.ledgerBad')}</h2>
                <p class="muted">{t('ops.ledgerChecks', { n: r.checks.length })}</p>
              </div>
            </div>
            <Card>
              <Table
                rows={r.checks}
                columns={[
                  {
                    label: t('col.check'),
                    render: (c) => (i18n.has(`check.${c.name}`) ? t(`check.${c.name}` as Key) : c.name),
                  },
                  { label: t('col.result'), render: (c) => <Badge status={c.ok ? 'passed' : 'failed'} /> },
                  {
                    label: t('col.detail'),
                    render: (c) => (
                      <span class="mono muted small">
                        {typeof c.detail === 'string' ? c.detail : JSON.stringify(c.detail)}
                      </span>
                    ),
                  },
                ]}
              />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}

function StripeAnomalies() {
  const [rows] = createResource(api.stripeAnomalies);
  return (
    <div class="page">
      <PageHeader title={t('ops.stripeTitle')} subtitle={t('ops.stripeSubtitle')} />
      <Card>
        <Loaded resource={rows}>
          {(page) => (
            <Table
              rows={page.data}
              empty={t('ops.noAnomalies')}
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                { label: t('col.event'), render: (r) => <span class="mono">{r.eventId ?? r.id}</span> },
                {
                  label: t('col.type'),
                  render: (r) => (i18n.has(`anomaly.${r.kind}`) ? t(`anomaly.${r.kind}` as Key) : r.kind),
                },
                {
                  label: t('col.object'),
                  render: (r) => <span class="mono small">{r.topupId ?? r.merchantId ?? '—'}</span>,
                },
                {
                  label: t('col.detail'),
                  render: (r) => <span class="mono muted small">{JSON.stringify(r.detail)}</span>,
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}

function PlatformPayouts() {
  const [rows, { refetch }] = createResource(api.platformPayouts);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [paying, setPaying] = createSignal<string | null>(null);
  const [reference, setReference] = createSignal('');
  const total = () =>
    (rows()?.data ?? []).filter((p) => p.status === 'paid').reduce((a, p) => a + p.amount, 0);
  const pending = () =>
    (rows()?.data ?? []).filter((p) => p.status === 'pending').reduce((a, p) => a + p.amount, 0);
  const run = useAction(async () => {
    const res = await api.runPayouts();
    setNotice(
      t('ops.payoutsRan', { created: res.created.length, paid: res.paid.length, failed: res.failed.length }),
    );
    refetch();
  });
  const markPaid = useAction(async (e: Event) => {
    e.preventDefault();
    await api.markPayoutPaid(paying()!, reference().trim());
    setPaying(null);
    setReference('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader
        title={t('ops.payoutsTitle')}
        subtitle={t('ops.payoutsSubtitle')}
        actions={
          <button
            type="button"
            class="btn btn-primary"
            data-testid="run-payouts"
            disabled={run.busy()}
            onClick={() => run.run()}
          >
            {t('ops.runPayouts')}
          </button>
        }
      />
      <ErrorNote error={run.error()} />
      <Show when={notice()}>
        <Alert tone="ok" testId="payouts-notice">
          {notice()}
        </Alert>
      </Show>
      <Show when={rows()}>
        <div class="stats">
          <Stat label={t('ops.payoutsTotal')} value={formatFen(total())} tone="green" />
          <Stat label={t('ops.payoutsPending')} value={formatFen(pending())} tone="amber" />
          <Stat label={t('ops.payoutsCount')} value={String(rows()!.data.length)} />
        </div>
      </Show>
      <Show when={paying()}>
        <Card title={t('ops.markPaidTitle')}>
          <form class="inline-form" onSubmit={(e) => markPaid.run(e)}>
            <input
              class="input grow"
              name="reference"
              placeholder={t('ops.referencePlaceholder')}
              value={reference()}
              onInput={(e) => setReference(e.currentTarget.value)}
            />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="confirm-paid"
              disabled={markPaid.busy() || !reference().trim()}
            >
              {t('ops.markPaid')}
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setPaying(null)}>
              {t('common.cancel')}
            </button>
          </form>
          <ErrorNote error={markPaid.error()} />
        </Card>
      </Show>
      <Card>
        <Loaded resource={rows}>
          {(page) => (
            <Table
              rows={page.data}
              testId="payouts"
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                { label: t('col.supplier'), render: (r) => <span class="mono">{r.supplierId}</span> },
                { label: t('col.periodEnd'), render: (r) => formatDate(r.periodEnd) },
                {
                  label: t('col.orders'),
                  align: 'right',
                  render: (r) => String(new Set(r.items.map((i) => i.orderId)).size),
                },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.reference'), render: (r) => <span class="mono">{r.reference ?? '—'}</span> },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={r.status === 'pending'}>
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        data-testid={`mark-paid-${r.id}`}
                        onClick={() => setPaying(r.id)}
                      >
                        {t('ops.markPaid')}
                      </button>
                    </Show>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
