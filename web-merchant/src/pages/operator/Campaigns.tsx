import { formatFen, parseMinor, rows } from '@alliance/web-shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api, type Campaign } from '../../api';
import {
  Badge,
  Bars,
  Card,
  Empty,
  ErrorNote,
  Field,
  Loaded,
  PageHeader,
  Table,
  useAction,
} from '../../components/ui';
import { t } from '../../i18n';

/** The last n business dates (Asia/Shanghai, like the server), oldest first, as YYYY-MM-DD. */
export function lastDays(n: number): string[] {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
  return Array.from({ length: n }, (_, i) => fmt.format(new Date(Date.now() - (n - 1 - i) * 86_400_000)));
}

export function Campaigns() {
  const [campaigns, { refetch }] = createResource(api.campaigns);
  const [chartFor, setChartFor] = createSignal<string | null>(null);
  const toggle = useAction(async (c: Campaign) => {
    await api.setCampaignStatus(c.id, c.status === 'paused' ? 'active' : 'paused');
    refetch();
  });
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
  const chartCampaign = (): Campaign | undefined => {
    const list = rows(campaigns());
    return list.find((c) => c.id === chartFor()) ?? list[0];
  };
  return (
    <div class="page">
      <PageHeader title={t('ops.campaignsTitle')} subtitle={t('ops.campaignsSubtitle')} />
      <ErrorNote error={toggle.error()} />
      <Card title={t('ops.campaignList')}>
        <Loaded resource={campaigns}>
          {(page) => (
            <Table
              rows={rows(page)}
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
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <button
                      type="button"
                      class="btn btn-outline btn-small"
                      data-testid={`campaign-toggle-${r.id}`}
                      disabled={toggle.busy()}
                      onClick={() => toggle.run(r)}
                    >
                      {r.status === 'paused' ? t('ops.resume') : t('ops.pause')}
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
      <Card
        title={t('ops.completionsChart')}
        extra={
          <Show when={rows(campaigns()).length > 0}>
            <select
              class="input input-compact"
              value={chartCampaign()?.id ?? ''}
              onChange={(e) => setChartFor(e.currentTarget.value)}
            >
              <For each={rows(campaigns())}>{(c) => <option value={c.id}>{c.title}</option>}</For>
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
