import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { api } from '../api';
import { Badge, Card, ErrorNote, Field, Link, PageHeader, useAction } from '../components/ui';
import { t } from '../i18n';
import { me, refetchMe } from '../session';

const categories = ['food', 'retail', 'beauty', 'services', 'education', 'other'] as const;

/** Apply as a merchant or a supplier; existing applications and their outcome are listed first. */
export function ApplyPage() {
  const [kind, setKind] = createSignal<'merchant' | 'supplier'>('merchant');
  const [name, setName] = createSignal('');
  const [category, setCategory] = createSignal<string>('food');
  const [address, setAddress] = createSignal('');
  const [contact, setContact] = createSignal('');
  const [done, setDone] = createSignal<{ id: string; kind: string } | null>(null);

  const submit = useAction(async (e: Event) => {
    e.preventDefault();
    const body = { name: name().trim(), address: address().trim(), contact: contact().trim() };
    const res =
      kind() === 'merchant'
        ? await api.applyMerchant({ ...body, category: t(`category.${category()}` as 'category.food') })
        : await api.applySupplier(body);
    setDone({ id: res.id, kind: kind() });
    await refetchMe();
  });

  const memberships = () => [
    ...(me()?.merchants ?? []).map((m) => ({ ...m, kind: 'merchant' as const })),
    ...(me()?.suppliers ?? []).map((m) => ({ ...m, kind: 'supplier' as const })),
  ];

  return (
    <div class="page">
      <PageHeader title={t('apply.title')} subtitle={t('apply.subtitle')} />
      <Show when={memberships().length === 0}>
        <div class="welcome card" data-testid="no-membership">
          <h2>{t('apply.welcome')}</h2>
          <p class="muted">{t('apply.welcomeBody')}</p>
        </div>
      </Show>
      <Show when={memberships().length > 0}>
        <Card title={t('apply.mine')}>
          <ul class="list">
            <For each={memberships()}>
              {(m) => (
                <li>
                  <span class="grow">
                    <strong>{m.name}</strong>
                    <span class="muted">
                      {' '}
                      · {t(m.kind === 'merchant' ? 'area.merchant' : 'area.supplier')}
                    </span>
                  </span>
                  <Badge status={m.status} />
                  <Link
                    to={`/${m.kind === 'merchant' ? 'merchants' : 'suppliers'}/${m.id}`}
                    class="btn btn-outline btn-small"
                  >
                    {t('apply.open')}
                  </Link>
                </li>
              )}
            </For>
          </ul>
        </Card>
      </Show>
      <div class="grid-2 apply-grid">
        <button
          type="button"
          class={`choice ${kind() === 'merchant' ? 'selected' : ''}`}
          data-testid="apply-merchant"
          onClick={() => setKind('merchant')}
        >
          <strong>{t('apply.asMerchant')}</strong>
          <span class="muted">{t('apply.asMerchantBody')}</span>
        </button>
        <button
          type="button"
          class={`choice ${kind() === 'supplier' ? 'selected' : ''}`}
          data-testid="apply-supplier"
          onClick={() => setKind('supplier')}
        >
          <strong>{t('apply.asSupplier')}</strong>
          <span class="muted">{t('apply.asSupplierBody')}</span>
        </button>
      </div>
      <Card title={kind() === 'merchant' ? t('apply.merchantForm') : t('apply.supplierForm')}>
        <Switch>
          <Match when={done()}>
            {(d) => (
              <div class="result" data-testid="apply-done">
                <Badge status="pending" />
                <p>{t('apply.submitted')}</p>
                <Link
                  to={`/${d().kind === 'merchant' ? 'merchants' : 'suppliers'}/${d().id}`}
                  class="btn btn-primary"
                >
                  {t('apply.viewStatus')}
                </Link>
              </div>
            )}
          </Match>
          <Match when={!done()}>
            <form class="form" onSubmit={(e) => submit.run(e)}>
              <div class="form-grid">
                <Field label={t('apply.name')}>
                  <input
                    class="input"
                    name="name"
                    required
                    maxlength="80"
                    value={name()}
                    onInput={(e) => setName(e.currentTarget.value)}
                  />
                </Field>
                <Show when={kind() === 'merchant'}>
                  <Field label={t('apply.category')}>
                    <select
                      class="input"
                      name="category"
                      value={category()}
                      onChange={(e) => setCategory(e.currentTarget.value)}
                    >
                      <For each={categories}>{(c) => <option value={c}>{t(`category.${c}`)}</option>}</For>
                    </select>
                  </Field>
                </Show>
                <Field label={t('apply.address')}>
                  <input
                    class="input"
                    name="address"
                    required
                    maxlength="200"
                    value={address()}
                    onInput={(e) => setAddress(e.currentTarget.value)}
                  />
                </Field>
                <Field label={t('apply.contact')}>
                  <input
                    class="input"
                    name="contact"
                    required
                    maxlength="80"
                    value={contact()}
                    onInput={(e) => setContact(e.currentTarget.value)}
                  />
                </Field>
              </div>
              <ErrorNote error={submit.error()} />
              <button
                type="submit"
                class="btn btn-primary"
                data-testid="apply-submit"
                disabled={submit.busy() || !name().trim()}
              >
                {t('apply.submit')}
              </button>
            </form>
          </Match>
        </Switch>
      </Card>
    </div>
  );
}
